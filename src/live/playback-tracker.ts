/**
 * What the carrier has *confirmed played* of the assistant's audio, for barge-in (docs/live-calls.md). One mark
 * follows every outgoing chunk; its echo means that chunk finished playing (or was flushed by a clear, which
 * is why echoes after a clear are ignored). μ-law at 8 kHz: bytes / 8 = milliseconds.
 */
interface PendingMark {
  name: string;
  itemId: string;
  /** The item's audio ms up to the end of this chunk. */
  endMs: number;
}

export interface Truncation {
  itemId: string;
  audioEndMs: number;
}

export class PlaybackTracker {
  private seq = 0;
  private pending: PendingMark[] = [];
  private sentMs = new Map<string, number>();
  private playedMs = new Map<string, number>();
  private currentItem: string | null = null;
  /** Mark echoes that matched nothing pending: audio flushed by a clear, or a mark we never sent. */
  staleMarks = 0;
  /** Mark echoes that confirmed playback. */
  confirmedMarks = 0;

  /** Records a chunk about to be sent for `itemId`; returns the name of the mark to send after it. */
  sent(itemId: string, bytes: number): string {
    const endMs = (this.sentMs.get(itemId) ?? 0) + bytes / 8;
    this.sentMs.set(itemId, endMs);
    this.currentItem = itemId;
    const name = `m${++this.seq}`;
    this.pending.push({ name, itemId, endMs });
    return name;
  }

  /** A mark echo from the carrier: that chunk (and every one before it, since playback is in order) has played. */
  echoed(name: string): void {
    // Echoes come back in order, so the oldest pending mark is nearly always the one.
    const i = this.pending[0]?.name === name ? 0 : this.pending.findIndex((m) => m.name === name);
    if (i < 0) {
      this.staleMarks++;
      return;
    }
    this.confirmedMarks++;
    for (const m of this.pending.splice(0, i + 1)) {
      this.playedMs.set(m.itemId, Math.max(this.playedMs.get(m.itemId) ?? 0, m.endMs));
    }
  }

  /** True while some sent audio is not confirmed played. */
  get playing(): boolean {
    return this.pending.length > 0;
  }

  /**
   * The caller started speaking: forget unconfirmed audio (it is being cleared) and say where to truncate the
   * current item, or null when everything sent was already played (no truncate needed).
   */
  bargeIn(): Truncation | null {
    const item = this.currentItem;
    const unplayed = item !== null && this.pending.some((m) => m.itemId === item);
    this.pending = [];
    this.currentItem = null;
    if (!unplayed || item === null) return null;
    return { itemId: item, audioEndMs: Math.floor(this.playedMs.get(item) ?? 0) };
  }
}
