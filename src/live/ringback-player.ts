import { type RingbackCadence, ringbackFrame } from "../audio/ringback";
import { bytesToBase64 } from "../lib/encoding";
import type { MediaLeg } from "./media-leg";

const FRAME_MS = 20;
/** Frames queued at the carrier ahead of real time, so a late timer never leaves a gap in the tone. */
const LEAD_FRAMES = 2;
/** Beyond this many frames behind (the object was busy), the late frames are skipped instead of burst out. */
const MAX_CATCH_UP = 5;

/**
 * Plays ringback to one leg in real time, one 20 ms frame at a time, straight onto the leg's socket: it is never
 * recorded and never reaches an interpreter (it does not pass through the bridge's `media`). `stop` sends no
 * further frame and clears what the carrier still has queued, so the tone ends at once on an answer.
 */
export class RingbackPlayer {
  private timer: ReturnType<typeof setInterval> | null = null;
  private startedAt = 0;
  private next = 0;
  /** Frames sent so far, for stats. */
  sent = 0;

  constructor(
    private readonly leg: MediaLeg,
    private readonly cadence: RingbackCadence,
  ) {}

  get playing(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer || !this.leg.started) return;
    this.startedAt = Date.now();
    this.next = 0;
    this.tick();
    this.timer = setInterval(() => this.tick(), FRAME_MS);
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.leg.clear();
  }

  private tick(): void {
    if (!this.leg.started) {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      return;
    }
    // Frame indexes follow the clock, so the cadence stays in time even when frames are skipped.
    const due = Math.floor((Date.now() - this.startedAt) / FRAME_MS) + 1 + LEAD_FRAMES;
    if (due - this.next > LEAD_FRAMES + MAX_CATCH_UP) this.next = due - LEAD_FRAMES - 1;
    for (; this.next < due; this.next++, this.sent++) {
      this.leg.sendMedia(bytesToBase64(ringbackFrame(this.cadence, this.next)));
    }
  }
}
