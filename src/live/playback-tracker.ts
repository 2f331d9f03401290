/**
 * What the carrier has *confirmed played* of the assistant's audio, for barge-in (docs/live-calls.md). One mark
 * follows every outgoing chunk; its echo means that chunk finished playing (or was flushed by a clear, which
 * is why echoes after a clear are ignored). μ-law at 8 kHz: bytes / 8 = milliseconds.
 */
export interface Truncation {
  itemId: string;
  audioEndMs: number;
}

/**
 * The marks sent and not yet echoed are a queue in parallel arrays read from `head` (mark name, item, the item's
 * audio ms up to the end of that chunk): sending and confirming a chunk allocate nothing but the mark's name.
 */
export class PlaybackTracker {
  private seq = 0;
  private names: string[] = [];
  private items: string[] = [];
  private endMs: number[] = [];
  private head = 0;
  /** Audio ms sent of each item before the current one; the current item's is `currentSentMs`. */
  private sentMs = new Map<string, number>();
  private currentSentMs = 0;
  private playedMs = new Map<string, number>();
  private currentItem: string | null = null;
  /** Mark echoes that matched nothing pending: audio flushed by a clear, or a mark we never sent. */
  staleMarks = 0;
  /** Mark echoes that confirmed playback. */
  confirmedMarks = 0;

  /** Records a chunk about to be sent for `itemId`; returns the name of the mark to send after it. */
  sent(itemId: string, bytes: number): string {
    if (itemId === this.currentItem)
      itemId = this.currentItem; // one string per item: its hash is computed once
    else {
      if (this.currentItem !== null) this.sentMs.set(this.currentItem, this.currentSentMs);
      this.currentSentMs = this.sentMs.get(itemId) ?? 0;
      this.currentItem = itemId;
    }
    this.currentSentMs += bytes / 8;
    const name = `m${++this.seq}`;
    this.names.push(name);
    this.items.push(itemId);
    this.endMs.push(this.currentSentMs);
    return name;
  }

  /** A mark echo from the carrier: that chunk (and every one before it, since playback is in order) has played. */
  echoed(name: string): void {
    // Echoes come back in order, so the oldest pending mark is nearly always the one.
    let i = this.head;
    if (this.names[i] !== name) {
      i = this.names.indexOf(name, this.head + 1);
      if (i < 0) {
        this.staleMarks++;
        return;
      }
    }
    this.confirmedMarks++;
    for (let k = this.head; k <= i; k++) {
      const item = this.items[k]!;
      const end = this.endMs[k]!;
      if (!(end <= (this.playedMs.get(item) ?? 0))) this.playedMs.set(item, end);
    }
    this.head = i + 1;
    // The arrays are emptied now and then, not at every echo (emptying frees their backing stores).
    if (this.head >= 256 && this.head === this.names.length) this.reset();
    else if (this.head >= 1024 && this.head * 2 >= this.names.length) this.compact();
  }

  /** True while some sent audio is not confirmed played. */
  get playing(): boolean {
    return this.head < this.names.length;
  }

  /**
   * The caller started speaking: forget unconfirmed audio (it is being cleared) and say where to truncate the
   * current item, or null when everything sent was already played (no truncate needed).
   */
  bargeIn(): Truncation | null {
    const item = this.currentItem;
    const unplayed = item !== null && this.items.indexOf(item, this.head) >= 0;
    this.reset();
    if (item !== null) this.sentMs.set(item, this.currentSentMs);
    this.currentItem = null;
    this.currentSentMs = 0;
    if (!unplayed || item === null) return null;
    return { itemId: item, audioEndMs: Math.floor(this.playedMs.get(item) ?? 0) };
  }

  private reset(): void {
    this.names.length = 0;
    this.items.length = 0;
    this.endMs.length = 0;
    this.head = 0;
  }

  private compact(): void {
    this.names.splice(0, this.head);
    this.items.splice(0, this.head);
    this.endMs.splice(0, this.head);
    this.head = 0;
  }
}
