import type { EntityManager } from 'typeorm';
import type { ReadModelRepository, TimelineEntry } from './read-model.repository.js';

/**
 * The read-model writes of one consumer batch, gathered: each case's view is written once per batch (a case's
 * Received, Classified and Assigned usually arrive in one fetch: one statement and one row version instead of
 * three) and the timeline in one statement. Before anything else reads or changes a case's view, `settle` writes
 * what is gathered for it, so every statement still sees the events before it.
 */
export class ReadModelBatch {
  private readonly views = new Map<string, Record<string, unknown>>();
  private readonly timeline: TimelineEntry[] = [];

  constructor(
    private readonly manager: EntityManager,
    private readonly repository: ReadModelRepository,
  ) {}

  /** Later changes of a column win, as if each had been written in turn. */
  view(inquiryId: string, changes: Record<string, unknown>): void {
    const gathered = this.views.get(inquiryId);
    if (gathered) Object.assign(gathered, changes);
    else this.views.set(inquiryId, { ...changes });
  }

  addTimeline(entry: TimelineEntry): void {
    this.timeline.push(entry);
  }

  async settle(inquiryId: string): Promise<void> {
    const gathered = this.views.get(inquiryId);
    if (!gathered) return;
    this.views.delete(inquiryId);
    await this.repository.update(this.manager, inquiryId, gathered);
  }

  async flush(): Promise<void> {
    await this.repository.updateMany(this.manager, [...this.views]);
    this.views.clear();
    await this.repository.addTimeline(this.manager, this.timeline.splice(0));
  }
}
