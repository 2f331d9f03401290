/**
 * Runs a call's frame handlers one after another, in arrival order: media right after a `start` waits for
 * the start's token check. `busy` says whether anything is still queued, so the hot path (media and marks of
 * a started leg) can run synchronously when nothing is ahead of it and stay in order.
 */
export class FrameOrder {
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;

  get busy(): boolean {
    return this.queued > 0;
  }

  run(task: () => Promise<void>): Promise<void> {
    this.queued++;
    const next = this.chain
      .then(task)
      .catch((e: unknown) => {
        console.error(
          JSON.stringify({
            level: "error",
            msg: "media stream frame failed",
            error: e instanceof Error ? e.message : String(e),
          }),
        );
      })
      .finally(() => {
        this.queued--;
      });
    this.chain = next;
    return next;
  }
}
