/**
 * One request at a time per source (request-guard.ts says which requests
 * queue here and how fast the lane moves). A lane exists only while it holds
 * requests, so the map is bounded by the open connections.
 */
export class SourceLanes {
  private readonly lanes = new Map<string, (() => void)[]>();

  /** Waits for the source's turn; answers the function that ends it (call it exactly once). */
  async enter(source: string): Promise<() => void> {
    const waiting = this.lanes.get(source);
    if (waiting) await new Promise<void>(resolve => waiting.push(resolve));
    else this.lanes.set(source, []);
    return () => this.leave(source);
  }

  get size(): number {
    return this.lanes.size;
  }

  private leave(source: string): void {
    const waiting = this.lanes.get(source);
    const next = waiting?.shift();
    if (next) next();
    else this.lanes.delete(source);
  }
}
