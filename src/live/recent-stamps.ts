/** Timestamps remembered per sender to keep chunks distinct (the store treats a repeated sender+ms as a retry). */
const RECENT_TS = 4096;

/**
 * One sender's last RECENT_TS chunk timestamps (ms), to keep them distinct: two chunks of one sender in the same
 * millisecond (both interpreters' output is "AI"; a barge-in resets the playback cursor) would look like a
 * retried chunk to the store, so the later one moves by a millisecond. Timestamps nearly always grow, so a new
 * one above every remembered one is taken at once; only one at or below the highest is looked for among the
 * remembered ones. A ring of numbers: nothing is allocated per chunk.
 */
export class RecentStamps {
  private readonly ring = new Float64Array(RECENT_TS);
  private size = 0;
  private next = 0;
  /** The highest timestamp among the remembered ones (-Infinity when none). */
  private max = -Infinity;

  distinct(ts: number): number {
    if (ts <= this.max) while (this.has(ts)) ts++;
    this.remember(ts);
    return ts;
  }

  private has(ts: number): boolean {
    for (let i = 0; i < this.size; i++) if (this.ring[i] === ts) return true;
    return false;
  }

  private remember(ts: number): void {
    const evicted = this.size === RECENT_TS ? this.ring[this.next]! : null;
    this.ring[this.next] = ts;
    this.next = (this.next + 1) % RECENT_TS;
    if (this.size < RECENT_TS) this.size++;
    if (ts > this.max) this.max = ts;
    // The highest one left the window: find the new highest (rare: only when timestamps stopped growing).
    else if (evicted === this.max)
      this.max = this.ring.reduce((m, v, i) => (i < this.size && v > m ? v : m), -Infinity);
  }
}
