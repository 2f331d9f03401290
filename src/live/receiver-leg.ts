import { ringbackFor } from "../audio/ringback";
import type { CallState } from "../db/calls";
import type { CarrierCallState } from "./carrier";
import { dialReceiver } from "./carrier-actions";
import type { LiveCall } from "./live-call";
import type { MediaLeg } from "./media-leg";
import { type ProgressMessage, progressMessage } from "./progress-messages";
import { RingbackPlayer } from "./ringback-player";

/** How long the receiver may ring when neither the call's options nor TRANSLATE_DIAL_TIMEOUT_MS say. */
export const DEFAULT_DIAL_TIMEOUT_MS = 30_000;
/** After the ring time, how long the carrier's own final status may take before the object gives up itself. */
const STATUS_GRACE_MS = 5_000;

/** Why a translated call ended, when the receiver's side decided it: `calls.outcome`, and the state it implies. */
const OUTCOMES = {
  receiver_no_answer: { state: "NoAnswer", message: "no_answer" },
  receiver_busy: { state: "Busy", message: "busy" },
  receiver_failed: { state: "Failed", message: "failed" },
  receiver_canceled: { state: "Canceled", message: "failed" },
  receiver_dial_timeout: { state: "NoAnswer", message: "no_answer" },
  receiver_hung_up: { state: "Completed", message: "hung_up" },
  rep_hung_up_while_dialing: { state: "Canceled", message: null },
} as const satisfies Record<string, { state: CallState; message: ProgressMessage | null }>;
export type ReceiverOutcome = keyof typeof OUTCOMES;

/** The call record's state for an outcome this module set, or null for any other outcome. */
export const stateOfOutcome = (outcome: string): CallState | null =>
  outcome in OUTCOMES ? OUTCOMES[outcome as ReceiverOutcome].state : null;

/** A final status of the dialed leg, reported by the carrier, and what it means for the call. */
const FINAL_STATUS: Partial<Record<CarrierCallState, ReceiverOutcome>> = {
  NoAnswer: "receiver_no_answer",
  Busy: "receiver_busy",
  Failed: "receiver_failed",
  Canceled: "receiver_canceled",
  Completed: "receiver_hung_up",
};

export type LegStatusResult = { accepted: boolean; reason?: string };

/**
 * The receiver's side of a translated call (docs/live-calls.md, "Dialing the receiver"): the rep hears ringback
 * while it rings, the carrier's final status (or the dial timeout) ends the call with a spoken message and an
 * outcome, and a receiver hanging up mid-call is announced to the rep before the call ends.
 */
export class ReceiverLeg {
  private ringback: RingbackPlayer | null = null;

  constructor(
    private readonly call: LiveCall,
    private readonly callerLeg: MediaLeg,
  ) {}

  get ringbackFrames(): number {
    return this.ringback?.sent ?? 0;
  }

  /** Still ringing: dialed, not answered, nothing decided. */
  private get dialing(): boolean {
    const s = this.call.state;
    return s.receiverRef !== null && s.answeredAt === null && s.outcome === null && !s.fallback;
  }

  timeoutMs(): number {
    const { state, env } = this.call;
    return state.options.dialTimeoutMs ?? (Number(env.TRANSLATE_DIAL_TIMEOUT_MS) || DEFAULT_DIAL_TIMEOUT_MS);
  }

  /** The rep's leg streams: ringback until the receiver answers, and the receiver is dialed (once per call). */
  async callerAttached(): Promise<void> {
    const { state } = this.call;
    if (state.answeredAt !== null || state.outcome !== null || state.fallback) return;
    const plan = this.call.plan;
    this.ringback ??= new RingbackPlayer(this.callerLeg, ringbackFor(plan.from, plan.translate?.callerLanguage));
    this.ringback.start();
    if (state.receiverRef) return; // a reconnected caller leg: the receiver is already ringing
    try {
      await dialReceiver(this.call, Math.ceil(this.timeoutMs() / 1000));
      state.setDialedAt(Date.now());
    } catch (e) {
      this.call.log("could not dial the receiver", e);
      await this.fail("receiver_failed");
    }
  }

  /** The receiver's stream started: the tone stops at once. */
  answered(): void {
    this.call.state.setAnsweredAt(Date.now());
    this.stopRingback();
  }

  stopRingback(): void {
    this.ringback?.stop();
  }

  /** The carrier's report on the dialed leg: a final status ends the call (after telling the rep). */
  async status(callRef: string, status: CarrierCallState): Promise<LegStatusResult> {
    const s = this.call.state;
    if (callRef !== s.receiverRef) return { accepted: false, reason: "not this call's receiver leg" };
    const outcome = FINAL_STATUS[status];
    if (!outcome) return { accepted: true, reason: `${status}: nothing to do` };
    if (s.outcome !== null || (s.fallback && s.fallback !== "passthrough"))
      return { accepted: true, reason: "the call is already ending" };
    await this.fail(outcome);
    return { accepted: true };
  }

  /** When the object gives up on a receiver that neither answered nor got a final status; null when not ringing. */
  deadline(): number | null {
    const at = this.call.state.dialedAt;
    if (at === null || !this.dialing) return null;
    const ring = this.timeoutMs();
    return at + ring + Math.min(STATUS_GRACE_MS, ring);
  }

  /** The dial timeout: the ringing leg is cancelled and the rep told there was no answer. */
  async timedOut(): Promise<void> {
    if (!this.dialing) return;
    const ref = this.call.state.receiverRef!;
    this.call.state.setOutcome("receiver_dial_timeout");
    await (await this.call.control()).hangUp(ref, true).catch((e: unknown) => this.call.log("cancel failed", e));
    await this.tell("receiver_dial_timeout");
  }

  /**
   * The receiver's stream ended. True when the rep is (being) told and the call ends with the rep's leg; false
   * when the call should simply end now (a fallback already took over, or the rep's leg is gone).
   */
  async streamGone(): Promise<boolean> {
    const s = this.call.state;
    if (s.outcome !== null) return true;
    if (s.fallback && s.fallback !== "passthrough") return false;
    if (!this.callerLeg.started) return false;
    await this.fail("receiver_hung_up");
    return true;
  }

  /** The rep's leg ended first: while still ringing, that is recorded (the ringing leg is cancelled by `end`). */
  callerGone(): void {
    if (this.dialing) this.call.state.setOutcome("rep_hung_up_while_dialing");
  }

  /** Whether the dialed leg may still be ringing and needs cancelling when the call ends. */
  get mayRing(): boolean {
    const o = this.call.state.outcome;
    return o === null || o === "rep_hung_up_while_dialing";
  }

  private async fail(outcome: ReceiverOutcome): Promise<void> {
    const s = this.call.state;
    if (s.outcome !== null || s.ended) return;
    s.setOutcome(outcome);
    await this.tell(outcome);
  }

  /** The rep hears why, in their language; the carrier then hangs the rep's leg up, whose end closes the call. */
  private async tell(outcome: ReceiverOutcome): Promise<void> {
    this.stopRingback();
    this.call.bridge.close(); // nothing is left to interpret
    const { plan, state } = this.call;
    const message = OUTCOMES[outcome].message;
    const callerRef = state.legRef("caller") ?? plan.callRef;
    try {
      if (!message || !callerRef) throw new Error("no caller leg to tell");
      const { text, language } = progressMessage(message, plan.translate?.callerLanguage ?? "en");
      await (await this.call.control()).sayAndHangUp(callerRef, text, language);
    } catch (e) {
      // The rep cannot be told: ending the call beats leaving them on a dead line.
      this.call.log("could not tell the rep", e);
      this.call.bridge.closeLegs();
    }
  }
}
