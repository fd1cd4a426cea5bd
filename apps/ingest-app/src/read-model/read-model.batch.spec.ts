import type { EntityManager } from 'typeorm';
import { ReadModelBatch } from './read-model.batch.js';
import type { ReadModelRepository, TimelineEntry } from './read-model.repository.js';

describe(ReadModelBatch.name, () => {
  const manager = {} as EntityManager;
  const recorder = () => {
    const writes: unknown[][] = [];
    const repository = {
      update: async (_m: EntityManager, inquiryId: string, changes: Record<string, unknown>) => void writes.push(['view', inquiryId, changes]),
      updateMany: async (_m: EntityManager, views: [string, Record<string, unknown>][]) =>
        void writes.push(...views.map(([inquiryId, changes]) => ['view', inquiryId, changes])),
      addTimeline: async (_m: EntityManager, entries: TimelineEntry[]) => void writes.push(['timeline', entries.map((e) => e.eventId)]),
    } as unknown as ReadModelRepository;
    return { writes, batch: new ReadModelBatch(manager, repository) };
  };
  const entry = (eventId: string): TimelineEntry => ({ eventId, inquiryId: 'c1', type: 'Received', at: '2026-11-28T02:00:00Z', detail: {} });

  it("writes each case's view once, later changes of a column winning, and the timeline in one go", async () => {
    const { writes, batch } = recorder();
    batch.view('c1', { title: 'a', status: 'received' });
    batch.addTimeline(entry('e1'));
    batch.view('c2', { status: 'received' });
    batch.view('c1', { category: 'roads', status: 'assigned' });
    batch.addTimeline(entry('e2'));
    expect(writes).toEqual([]);
    await batch.flush();
    expect(writes).toEqual([
      ['view', 'c1', { title: 'a', status: 'assigned', category: 'roads' }],
      ['view', 'c2', { status: 'received' }],
      ['timeline', ['e1', 'e2']],
    ]);
  });

  it('settles one case before something else reads or changes its view, and writes nothing twice', async () => {
    const { writes, batch } = recorder();
    batch.view('c1', { content: 'question' });
    batch.view('c2', { status: 'received' });
    await batch.settle('c1');
    expect(writes).toEqual([['view', 'c1', { content: 'question' }]]);
    await batch.settle('c1');
    batch.view('c1', { status: 'replied' });
    await batch.flush();
    expect(writes).toEqual([
      ['view', 'c1', { content: 'question' }],
      ['view', 'c2', { status: 'received' }],
      ['view', 'c1', { status: 'replied' }],
      ['timeline', []],
    ]);
  });
});
