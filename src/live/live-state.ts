import type { Leg } from "./carrier";
import type { CallPlan } from "./call-plan";

export interface LiveOptions {
  /** Realtime session lifetime before renewal (default REALTIME_SESSION_MAX_MS or 28 min). */
  sessionMaxMs?: number;
  /** A call with no frame for this long is ended by the alarm (default CALL_SILENCE_TIMEOUT_MS or 60 s). */
  silenceTimeoutMs?: number;
  /** First wait before a failed finalize is tried again; it doubles each time (default 5 s, at most 10 min). */
  finalizeRetryMs?: number;
  /** How long a failing finalize is retried before the call is marked failed (default 24 h). */
  finalizeDeadlineMs?: number;
  /** How long the post-call survey waits for an answer to a question once it was asked (default 20 s). */
  surveyAnswerTimeoutMs?: number;
  /** Translate: how long the receiver may ring (default TRANSLATE_DIAL_TIMEOUT_MS or 30 s), see receiver-leg.ts. */
  dialTimeoutMs?: number;
}

const P = "live:";

/**
 * The part of a live call that must outlive the object's memory (a restart, an eviction, the silence alarm on
 * a fresh instance): the plan, where the call's timeline starts, the legs' call SIDs, whether the caller was
 * greeted and whether the call fell back or ended. Synchronous KV in the object's SQLite storage.
 */
export class LiveState {
  /**
   * Read-through, write-through: this object is the only writer of its storage, so values read once stay true
   * until it writes them, and the per-frame reads (the timeline's epoch) never reach SQLite.
   */
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly kv: SyncKvStorage) {}

  private get<T>(k: string): T | undefined {
    if (!this.cache.has(k)) this.cache.set(k, this.kv.get<T>(P + k));
    return this.cache.get(k) as T | undefined;
  }
  private put(k: string, v: unknown) {
    this.kv.put(P + k, v);
    this.cache.set(k, v);
  }

  get plan() {
    return this.get<CallPlan>("plan") ?? null;
  }
  setPlan(p: CallPlan) {
    this.put("plan", p);
  }

  /** The object's name (the caller leg's carrier id): what the media stream URLs and every StreamToken are bound to. */
  get key() {
    return this.get<string>("key") ?? null;
  }
  get origin() {
    return this.get<string>("origin") ?? null;
  }
  setAddress(key: string, origin: string) {
    if (!this.key) this.put("key", key);
    if (!this.origin) this.put("origin", origin);
  }

  get options() {
    return this.get<LiveOptions>("options") ?? {};
  }
  setOptions(o: LiveOptions) {
    this.put("options", { ...this.options, ...o });
  }

  get epoch() {
    return this.get<number>("epoch") ?? null;
  }
  /** Zero of the call's timeline: the first media stream's start, kept across restarts. */
  startTimeline() {
    if (this.epoch === null) this.put("epoch", Date.now());
  }
  /** Ms into the call's timeline (0 before it starts); per frame, so the epoch is kept in a field once known. */
  callMs() {
    const e = (this.epochMs ??= this.epoch);
    return e === null ? 0 : Date.now() - e;
  }
  private epochMs: number | null = null;

  get greeted() {
    return this.get<boolean>("greeted") ?? false;
  }
  setGreeted() {
    this.put("greeted", true);
  }

  /** The carrier's id of a leg: what call control acts on. */
  legRef(leg: Leg) {
    return this.get<string>(`sid:${leg}`) ?? null;
  }
  setLegRef(leg: Leg, ref: string) {
    this.put(`sid:${leg}`, ref);
  }
  /** Whether the leg's stream was ever admitted: only such a leg may come back on an expired stream token. */
  streamed(leg: Leg) {
    return this.get<boolean>(`streamed:${leg}`) ?? false;
  }
  setStreamed(leg: Leg) {
    this.put(`streamed:${leg}`, true);
  }

  get receiverRef() {
    return this.legRef("receiver");
  }
  setReceiverRef(ref: string) {
    this.setLegRef("receiver", ref);
  }

  get fallback() {
    return this.get<string>("fallback") ?? null;
  }
  setFallback(kind: string) {
    this.put("fallback", kind);
  }

  /** How the call ended when the engine decided it (`transferred`); the call record's `outcome`. */
  get outcome() {
    return this.get<string>("outcome") ?? null;
  }
  /** The first one wins: the engine knows best what ended the call first (e.g. `receiver_busy`). */
  setOutcome(outcome: string) {
    if (this.outcome === null) this.put("outcome", outcome);
  }

  get preparedAt() {
    return this.get<number>("preparedAt") ?? null;
  }
  setPreparedAt(t: number) {
    if (this.preparedAt === null) this.put("preparedAt", t);
  }

  get recordingId() {
    return this.get<string>("recordingId") ?? null;
  }
  setRecordingId(id: string) {
    this.put("recordingId", id);
  }

  /** Failed attempts to end the call (finalize and close its record): how many, since when. */
  get finalizeFailures() {
    return this.get<{ count: number; since: number }>("finalizeFailures") ?? null;
  }
  noteFinalizeFailure(now: number) {
    const f = this.finalizeFailures;
    const next = { count: (f?.count ?? 0) + 1, since: f?.since ?? now };
    this.put("finalizeFailures", next);
    return next;
  }

  /** Translate: when the receiver was dialed, and when its stream started (the answer). */
  get dialedAt() {
    return this.get<number>("dialedAt") ?? null;
  }
  setDialedAt(t: number) {
    this.put("dialedAt", t);
  }
  get answeredAt() {
    return this.get<number>("answeredAt") ?? null;
  }
  setAnsweredAt(t: number) {
    if (this.answeredAt === null) this.put("answeredAt", t);
  }

  get ended() {
    return this.get<boolean>("ended") ?? false;
  }
  setEnded() {
    this.put("ended", true);
  }
}
