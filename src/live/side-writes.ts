/**
 * D1 writes a live call makes beside its audio (tool calls, survey answers): kept off the hot path, but the
 * call's end waits for them (`drain`), so what the call-data API reads after a call is complete. A failed
 * write is logged and counted; the call goes on.
 */
export class SideWrites {
  private pending = new Set<Promise<void>>();
  failed = 0;

  constructor(private readonly callId: string | null) {}

  /** Tracks `work`; resolves true when it succeeded. Never rejects. */
  add(what: string, work: Promise<unknown>): Promise<boolean> {
    const w = work.then(
      () => true,
      (e: unknown) => {
        this.failed++;
        const error = e instanceof Error ? e.message : String(e);
        console.error(JSON.stringify({ level: "error", msg: `${what} failed`, callId: this.callId, error }));
        return false;
      },
    );
    const settled = w.then(() => undefined);
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
    return w;
  }

  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}
