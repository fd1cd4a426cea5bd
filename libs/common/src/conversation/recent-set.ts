/**
 * Keys marked within the last `ttlMs`, bounded in size. Only ever suppresses a report this instance made
 * itself within the throttle, so it can never delay a report the database would have let through by more
 * than the throttle allows. A mark is made after the report's transaction statement, so a rollback can at
 * worst skip one report for up to the throttle period.
 */
export class RecentSet {
  private readonly marks = new Map<string, number>();
  constructor(
    private readonly ttlMs: number,
    private readonly max = 50_000,
  ) {}

  fresh(key: string): boolean {
    const at = this.marks.get(key);
    return at !== undefined && Date.now() - at < this.ttlMs;
  }

  mark(key: string): void {
    if (this.ttlMs <= 0) return;
    this.marks.delete(key);
    this.marks.set(key, Date.now());
    if (this.marks.size > this.max) this.marks.delete(this.marks.keys().next().value!);
  }
}
