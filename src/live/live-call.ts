import type { RealtimeTarget } from "../ai/realtime";
import { openaiApiKey, openaiBaseUrl } from "../ai/openai";
import { getCustomer, type CustomerRow } from "../db/customers";
import type { Env } from "../env";
import { assistantActions } from "./assistant-actions";
import { AssistantBridge } from "./assistant-bridge";
import type { Bridge } from "./bridge";
import type { CallPlan } from "./call-plan";
import type { CallControl, Carrier, Leg, OutgoingFrames } from "./carrier";
import { LiveState } from "./live-state";
import type { AudioStore } from "../recordings/audio-store";
import { SAMPLES_PER_MS } from "../recordings/audio-types";
import { FrameBatcher } from "./frame-batcher";
import { TranscriptLog } from "./transcript-log";
import { TranslateBridge } from "./translate-bridge";
import { hangUpReceiver, takeFallback } from "./carrier-actions";
import { finishCall, giveUpFinalizing } from "./finish";
import type { ToolFetch } from "./http-tool";
import { ReceiverLeg } from "./receiver-leg";
import { SideWrites } from "./side-writes";

/** Where the audio already stored ends, in ms on the call's timeline; null when nothing is stored. */
function storedEndMs(store: AudioStore): number | null {
  const end = store.bounds()?.endSample;
  return end === undefined ? null : end / SAMPLES_PER_MS;
}

/** Default realtime session lifetime before a transparent renewal (models cap sessions at 30 or 60 minutes). */
export const DEFAULT_SESSION_MAX_MS = 28 * 60_000;

/**
 * One live call in memory: its plan, its bridge (assistant or interpreter), its frame batcher and transcript.
 * Everything that must survive a restart is in `LiveState` (the object's storage); this is rebuilt from it.
 */
export class LiveCall {
  readonly bridge: Bridge;
  readonly batcher: FrameBatcher;
  readonly transcripts: TranscriptLog;
  /** Tool-call records and survey answers, drained before the call's end is written. */
  readonly writes: SideWrites;
  /** Translate: the dialed receiver's lifecycle (ringback, status, timeout, hang-up). */
  readonly receiver: ReceiverLeg | null = null;
  private ending: Promise<void> | null = null;
  private started = false;
  private controlOf: Promise<CallControl> | null = null;
  /**
   * When the call last had a frame, for the silence alarm. Kept in memory only: an object rebuilt after a restart
   * takes the end of the audio already stored (on the call's timeline), so a batch commits nothing but audio.
   */
  lastActivity: number;

  private constructor(
    readonly env: Env,
    readonly state: LiveState,
    readonly plan: CallPlan,
    readonly customer: CustomerRow,
    target: RealtimeTarget | null,
    readonly store: AudioStore,
    private readonly carrier: Carrier,
    readonly toolFetch: ToolFetch,
  ) {
    const epoch = state.epoch;
    const storedEnd = epoch === null ? null : storedEndMs(store);
    this.lastActivity = epoch !== null && storedEnd !== null ? epoch + storedEnd : Date.now();
    this.transcripts = new TranscriptLog(env, plan);
    this.writes = new SideWrites(plan.callId);
    this.batcher = new FrameBatcher(store);
    const deps = {
      plan,
      transcripts: this.transcripts,
      target: target ?? { baseUrl: openaiBaseUrl(env), apiKey: "", model: customer.openai_realtime_model },
      transcriptionModel: customer.openai_transcription_model,
      sessionMaxMs: state.options.sessionMaxMs ?? (Number(env.REALTIME_SESSION_MAX_MS) || DEFAULT_SESSION_MAX_MS),
      now: () => state.callMs(),
      record: (sender: Parameters<FrameBatcher["add"]>[0], at: number, payload: string) =>
        this.batcher.add(sender, at, payload),
      aiFailed: (reason: string) => void this.aiFailed(reason),
      greeted: state.greeted,
      markGreeted: () => state.setGreeted(),
    };
    if (plan.mode === "assistant") this.bridge = new AssistantBridge(deps, assistantActions(this));
    else {
      const interpreter = new TranslateBridge(deps);
      this.bridge = interpreter;
      this.receiver = new ReceiverLeg(this, interpreter.legs.caller);
    }
    if (!target) queueMicrotask(() => void this.aiFailed("the tenant has no OpenAI API key"));
  }

  static async create(
    env: Env,
    state: LiveState,
    plan: CallPlan,
    store: AudioStore,
    carrier: Carrier,
    toolFetch: ToolFetch,
  ): Promise<LiveCall> {
    const customer = await getCustomer(env.DB, plan.customerId);
    if (!customer) throw new Error("customer of the call is gone");
    const apiKey = await openaiApiKey(env, customer);
    const target = apiKey ? { baseUrl: openaiBaseUrl(env), apiKey, model: customer.openai_realtime_model } : null;
    return new LiveCall(env, state, plan, customer, target, store, carrier, toolFetch);
  }

  /** The call's carrier control with the tenant's credentials, made once (a failure is retried next time). */
  control(): Promise<CallControl> {
    this.controlOf ??= this.carrier.control(this.env, this.plan.customerId).catch((e: unknown) => {
      this.controlOf = null;
      throw e;
    });
    return this.controlOf;
  }

  /** Opens the realtime session(s) now, before any audio, unless the call already fell back. */
  start(): void {
    if (this.started || this.state.fallback) return;
    this.started = true;
    this.bridge.start();
  }

  async attach(leg: Leg, ws: WebSocket, frames: OutgoingFrames, legRef: string): Promise<void> {
    this.state.startTimeline();
    // A leg streaming again (the carrier reconnected after a restart) never starts before audio already stored.
    const resumed = this.state.legRef(leg) !== null;
    const stored = resumed ? Math.ceil(storedEndMs(this.store) ?? 0) : 0;
    this.state.setLegRef(leg, legRef);
    this.bridge.attach(leg, ws, frames, Math.max(this.state.callMs(), stored));
    this.lastActivity = Date.now();
    if (leg === "receiver") this.receiver?.answered();
    else await this.receiver?.callerAttached();
  }

  media(leg: Leg, tsMs: number, payload: string): void {
    this.lastActivity = Date.now();
    this.bridge.media(leg, tsMs, payload);
  }

  mark(leg: Leg, name: string): void {
    this.bridge.mark(leg, name);
  }

  dtmf(leg: Leg, digit: string): void {
    this.bridge.dtmf?.(leg, digit);
  }

  /** The call is ending or has ended. */
  get over(): boolean {
    return this.ending !== null || this.state.ended;
  }

  /** OpenAI refused or dropped for good: the tenant's fallback, so nobody is left in dead air. */
  async aiFailed(reason: string): Promise<void> {
    if (this.state.fallback || this.state.outcome || this.ending) return;
    console.warn(JSON.stringify({ level: "warn", msg: "live call falls back", callId: this.plan.callId, reason }));
    this.receiver?.stopRingback();
    this.bridge.close();
    await takeFallback(this);
  }

  /** Finalizing kept failing past its deadline: the call is closed as failed, its audio kept. */
  giveUp(failures: { count: number; since: number }): Promise<void> {
    return giveUpFinalizing(this, failures);
  }

  /** The call is being deleted: everything stops, nothing more is stored or finalized. */
  abandon(): void {
    this.receiver?.stopRingback();
    this.bridge.close();
    this.bridge.closeLegs();
    this.batcher.discard();
  }

  /**
   * A leg's stream stopped or its socket closed. The call ends (the other leg is hung up with it), except when
   * the receiver of a translated call hangs up: the rep is told first, and the call ends with the rep's leg.
   */
  async legGone(leg: Leg, reason: string): Promise<void> {
    if (this.ending) return this.ending;
    if (leg === "receiver" && (await this.receiver?.streamGone())) return;
    if (leg === "caller") this.receiver?.callerGone();
    return this.end(`${leg}: ${reason}`);
  }

  log(msg: string, e: unknown): void {
    const error = e instanceof Error ? e.message : String(e);
    console.warn(JSON.stringify({ level: "warn", msg, callId: this.plan.callId, error }));
  }

  /** The call is over: both legs closed, the recording finalized, the call record closed. */
  end(reason: string): Promise<void> {
    this.ending ??= (async () => {
      this.receiver?.stopRingback();
      this.bridge.close();
      this.bridge.closeLegs();
      if (this.plan.mode === "translate") await hangUpReceiver(this).catch(() => undefined);
      this.batcher.flush();
      await this.transcripts.drain();
      await this.writes.drain();
      await finishCall(this, reason);
    })().catch((e: unknown) => {
      this.ending = null; // the silence alarm tries again
      throw e;
    });
    return this.ending;
  }
}
