/**
 * A background loop for a service's periodic work (media downloads, mention polling): runs `body`, then waits
 * `intervalMs` unless `body` says more is waiting; `stop` wakes the wait and resolves once the round in flight
 * has finished, so a shutdown never leaves work half-done against a closing database.
 */
export class PollingLoop {
  private running = false;
  private loop?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;

  constructor(
    /** One round; true when more is due at once (a full batch). */
    private readonly body: () => Promise<boolean>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        more = await this.body();
      } catch (error) {
        this.onError(error);
      }
      if (!more && this.running) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        clearTimeout(this.timer);
        resolve();
      };
      this.timer = setTimeout(resolve, this.intervalMs);
    });
  }
}
