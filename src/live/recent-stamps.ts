/** Timestamps remembered per sender to keep chunks distinct (the store treats a repeated sender+ms as a retry). */
const RECENT_TS = 4096;
/** Slots of the hash table: a power of two, twice the window, so probes stay short. */
const SLOTS = 8192;
const MASK = SLOTS - 1;
const SHIFT = 32 - Math.log2(SLOTS);

/**
 * One sender's last RECENT_TS chunk timestamps (ms), to keep them distinct: two chunks of one sender in the same
 * millisecond (both interpreters' output is "AI"; a barge-in resets the playback cursor) would look like a
 * retried chunk to the store, so the later one moves by a millisecond. The window is a ring (oldest out first)
 * and membership an open-addressing hash table over typed arrays (linear probing, deletion by backward shift):
 * O(1) per chunk, and nothing allocated per chunk.
 */
export class RecentStamps {
  private readonly ring = new Float64Array(RECENT_TS);
  private size = 0;
  private next = 0;
  private readonly keys = new Float64Array(SLOTS);
  private readonly used = new Uint8Array(SLOTS);

  distinct(ts: number): number {
    while (this.slotOf(ts) >= 0) ts++;
    if (this.size === RECENT_TS) this.remove(this.ring[this.next]!);
    else this.size++;
    this.ring[this.next] = ts;
    this.next = (this.next + 1) % RECENT_TS;
    let i = home(ts);
    while (this.used[i]) i = (i + 1) & MASK;
    this.keys[i] = ts;
    this.used[i] = 1;
    return ts;
  }

  private slotOf(ts: number): number {
    for (let i = home(ts); this.used[i]; i = (i + 1) & MASK) if (this.keys[i] === ts) return i;
    return -1;
  }

  /** Deletes `ts` and moves later entries of its probe run back, so every lookup still finds them. */
  private remove(ts: number): void {
    let hole = this.slotOf(ts);
    if (hole < 0) return;
    for (let j = (hole + 1) & MASK; this.used[j]; j = (j + 1) & MASK) {
      const h = home(this.keys[j]!);
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const homeAfterHole = hole <= j ? h > hole && h <= j : h > hole || h <= j;
      if (!homeAfterHole) {
        this.keys[hole] = this.keys[j]!;
        hole = j;
      }
    }
    this.used[hole] = 0;
  }
}

/** Fibonacci hashing of a (non-negative, integral) millisecond timestamp to its home slot. */
function home(ts: number): number {
  return Math.imul(ts | 0, 0x9e3779b1) >>> SHIFT;
}
