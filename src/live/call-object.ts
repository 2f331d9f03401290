import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { AudioStore } from "../recordings/audio-store";
import { buildPlan } from "./call-plan";
import type { CarrierRegistry, LegEvent, ParsedFrame } from "./carrier";
import { FrameOrder } from "./frame-order";
import { platformFetch, type ToolFetch } from "./http-tool";
import { LiveCall } from "./live-call";
import { LiveState, type LiveOptions } from "./live-state";
import { STREAM_CARRIER_HEADER } from "./entry";
import { MediaSocket } from "./media-socket";

const DEFAULT_SILENCE_MS = 60_000;
/** A media stream socket must send an authorized `start` within this long. */
const START_TIMEOUT_MS = 10_000;
/** A prepared call whose media stream never starts is given up after this long. */
const PREPARE_TIMEOUT_MS = 60_000;
/** A failed finalize is tried again after this, doubling each time up to the cap, until the deadline. */
const FINALIZE_RETRY_MS = 5_000;
const FINALIZE_RETRY_CAP_MS = 10 * 60_000;
const FINALIZE_DEADLINE_MS = 24 * 60 * 60_000;

/**
 * One object per live call, named by its caller leg's carrier id (ticket uploads have their own TicketRecorder).
 * The carrier's media stream sockets are accepted (in order, see `fetch`) and bridged to OpenAI Realtime by a
 * `LiveCall`; audio waits durably in the object's SQLite storage until it is finalized into R2. Carriers are
 * known only through the registry the composition root passes in (src/index.ts).
 */
export class CallObjectEngine extends DurableObject<Env> {
  private live: Promise<LiveCall | null> | null = null;
  private readonly order = new FrameOrder();
  /** The call once loaded, for the synchronous hot path. */
  private liveNow: LiveCall | null = null;
  private sockets = new Map<WebSocket, MediaSocket>();
  private state = new LiveState(this.ctx.storage.kv);
  private audio: AudioStore | null = null;
  readonly counters = {
    badFrames: 0,
    oversizedFrames: 0,
    rejectedStreams: 0,
    framesBeforeStart: 0,
    duplicateLegs: 0,
    floodedSockets: 0,
  };

  constructor(
    ctx: DurableObjectState,
    env: Env,
    private readonly carriers: CarrierRegistry,
    /** How assistant HTTP tools reach the outside (the test Worker maps its tool host onto a loopback fake). */
    private readonly toolFetch: ToolFetch = platformFetch,
  ) {
    super(ctx, env);
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: "Expected a WebSocket upgrade (a carrier media stream)" }, { status: 426 });
    }
    const carrier = request.headers.get(STREAM_CARRIER_HEADER) ?? "";
    const wire = this.carriers.get(carrier)?.wire;
    if (!wire) return Response.json({ error: `Unknown carrier "${carrier}"` }, { status: 400 });
    const url = new URL(request.url);
    const key = decodeURIComponent(url.pathname.split("/").pop() ?? "");
    // Not the hibernation API: workerd was seen delivering a burst of queued hibernatable-socket messages in
    // reverse order, and audio must stay in order. The outbound OpenAI socket keeps the object awake anyway.
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    server.accept();
    const info = new MediaSocket(key, url.origin, carrier, wire);
    this.sockets.set(server, info);
    // Nothing is stored for a socket until its `start` proves it came from our answer; one that never does is dropped.
    setTimeout(() => {
      if (!info.leg && this.sockets.has(server)) server.close(1008, "no authorized start");
    }, START_TIMEOUT_MS);
    server.addEventListener("message", (e) => this.onMessage(server, info, e.data as string | ArrayBuffer));
    server.addEventListener(
      "close",
      (e) => void this.order.run(() => this.legGone(server, `socket closed (${e.code})`)),
    );
    server.addEventListener("error", () => void this.order.run(() => this.legGone(server, "socket error")));
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Opens the call's OpenAI session(s) as soon as the webhook has answered, before the media stream starts.
   * `parameters` = the same map the stream's `start` will carry (CustomerId, CallId, Mode, …).
   */
  async prepare(carrier: string, parameters: Record<string, string>): Promise<{ ok: boolean; error?: string }> {
    if (this.state.ended) return { ok: false, error: "call already ended" };
    // A replayed or concurrent webhook delivery prepares once: it never re-arms the alarm of a call under way.
    // Marked before the first await, so a delivery arriving meanwhile sees it.
    if (this.state.preparedAt !== null || this.state.epoch !== null) return { ok: true };
    this.state.setPreparedAt(Date.now());
    try {
      await this.armAlarm(PREPARE_TIMEOUT_MS);
      const live = await this.liveCall(parameters, carrier);
      if (!live) return { ok: false, error: "call already ended" };
      live.start();
      return { ok: true };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /**
   * Deletes everything this object holds (its call or its customer is being deleted, docs/data-lifecycle.md):
   * the legs are closed, nothing is finalized, the stored audio and state are gone.
   */
  async purge(): Promise<void> {
    this.liveNow?.abandon();
    for (const ws of this.sockets.keys()) {
      try {
        ws.close(1000, "call deleted");
      } catch {
        /* already closed */
      }
    }
    this.sockets.clear();
    this.live = null;
    this.liveNow = null;
    this.audio = null;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.state = new LiveState(this.ctx.storage.kv);
  }

  /** Per-call options (tests use short limits); applies to sessions opened afterwards. */
  async configure(options: LiveOptions): Promise<void> {
    this.state.setOptions(options);
  }

  /** Counters and bridge figures, for tests and diagnostics. */
  async stats(): Promise<Record<string, number | string | boolean | null>> {
    const live = this.live ? await this.live.catch(() => null) : null;
    return {
      ...this.counters,
      ...(live?.bridge.stats() ?? {}),
      recordedChunks: this.state.plan ? this.store.totalChunks() : 0,
      rejectedChunks: live?.batcher.rejected ?? 0,
      fallback: this.state.fallback,
      ended: this.state.ended,
      finalizeFailures: this.state.finalizeFailures?.count ?? 0,
      recordingId: this.state.recordingId,
    };
  }

  override async alarm(): Promise<void> {
    if (this.state.ended || !this.state.plan) return;
    const live = await this.liveCall(null, null).catch(() => null);
    if (!live) return;
    if (this.state.finalizeFailures) return this.endCall(live, "finalize retry");
    const started = this.state.epoch !== null;
    const idleSince = started
      ? Math.max(live.lastActivity, this.state.lastActivity ?? 0)
      : (this.state.preparedAt ?? 0);
    const limit = started ? this.silenceMs() : PREPARE_TIMEOUT_MS;
    if (Date.now() - idleSince < limit) return this.armAlarm(limit - (Date.now() - idleSince));
    await this.endCall(live, started ? "silence timeout" : "media stream never started");
  }

  /**
   * Ends the call; when that fails (the recording could not be written, D1 refused) it is tried again by the
   * alarm with backoff until the deadline, then the call is closed as failed with its audio kept.
   */
  private async endCall(live: LiveCall, reason: string): Promise<void> {
    try {
      await live.end(reason);
    } catch (e) {
      const failures = this.state.noteFinalizeFailure(Date.now());
      const o = this.state.options;
      const error = e instanceof Error ? e.message : String(e);
      console.error(
        JSON.stringify({
          level: "error",
          msg: "live call finalize failed",
          callId: live.plan.callId,
          attempt: failures.count,
          error,
        }),
      );
      if (Date.now() - failures.since >= (o.finalizeDeadlineMs ?? FINALIZE_DEADLINE_MS)) return live.giveUp(failures);
      const base = o.finalizeRetryMs ?? FINALIZE_RETRY_MS;
      await this.armAlarm(Math.min(FINALIZE_RETRY_CAP_MS, base * 2 ** (failures.count - 1)));
    }
  }

  /**
   * Media and marks of a started leg are handled at once when nothing is queued ahead of them (the hot path:
   * ~50 frames a second per leg); anything else, or anything behind a frame still being handled, is queued.
   */
  private onMessage(ws: WebSocket, info: MediaSocket, data: string | ArrayBuffer): void {
    const parsed = info.wire.parse(data);
    const leg = info.leg;
    if (parsed.ok && leg && !this.order.busy && this.liveNow) {
      const ev = parsed.event;
      if (ev.kind === "media") return this.liveNow.media(leg, ev.timestampMs, ev.payload);
      if (ev.kind === "mark") return this.liveNow.mark(leg, ev.name);
    }
    if (!info.mayQueue(parsed)) {
      this.counters.floodedSockets++;
      this.sockets.delete(ws);
      ws.close(1008, "too many frames before start");
      return;
    }
    void this.order.run(() => this.onFrame(ws, parsed));
  }

  private async onFrame(ws: WebSocket, parsed: ParsedFrame): Promise<void> {
    if (!parsed.ok) {
      if (parsed.reason === "oversized") this.counters.oversizedFrames++;
      else this.counters.badFrames++;
      return;
    }
    const ev = parsed.event;
    const info = this.sockets.get(ws);
    if (!info || ev.kind === "other") return;
    if (ev.kind === "start") return info.leg ? undefined : this.onStart(ws, info, ev);
    if (!info.leg) {
      this.counters.framesBeforeStart++;
      return;
    }
    const live = await this.liveCall(null, null);
    if (!live) return;
    if (ev.kind === "media") return live.media(info.leg, ev.timestampMs, ev.payload);
    if (ev.kind === "mark") return live.mark(info.leg, ev.name);
    if (ev.kind === "dtmf") return live.dtmf(info.leg, ev.digit);
    if (ev.kind === "stop") return this.legGone(ws, "stop");
  }

  /** Admits a stream its StreamToken admits (src/live/media-socket.ts) while no other socket holds its leg. */
  private async onStart(ws: WebSocket, info: MediaSocket, ev: Extract<LegEvent, { kind: "start" }>): Promise<void> {
    const params = ev.parameters;
    const grant = await info.admitted(this.env, params, (leg) => this.state.streamed(leg));
    const live = grant && !this.state.ended ? await this.liveCall(params, info.carrier).catch(() => null) : null;
    if (!grant || !live || !info.matches(grant, live.plan)) {
      this.counters.rejectedStreams++;
      ws.close(1008, "stream not authorized");
      return;
    }
    // A second socket for a leg that is streaming is refused, never swapped in: the first one keeps the call.
    const leg = grant.leg;
    if ([...this.sockets.values()].some((s) => s.leg === leg)) {
      this.counters.duplicateLegs++;
      ws.close(1008, "this leg is already streaming");
      return;
    }
    this.state.setAddress(info.key, info.origin);
    info.leg = leg;
    this.state.setStreamed(leg);
    live.start();
    await live.attach(leg, ws, info.wire.outgoing(ev.streamId), ev.callRef);
    await this.armAlarm(this.silenceMs());
  }

  private async legGone(ws: WebSocket, reason: string): Promise<void> {
    const info = this.sockets.get(ws);
    this.sockets.delete(ws);
    if (!info?.leg || this.state.ended) return;
    const live = await this.liveCall(null, null);
    if (live) await this.endCall(live, `${info.leg}: ${reason}`);
  }

  /** The call in memory, rebuilt from storage after a restart; built from `params` the first time. */
  private liveCall(params: Record<string, string> | null, carrier: string | null): Promise<LiveCall | null> {
    this.live ??= this.loadLive(params, carrier).then(
      (live) => (this.liveNow = live),
      (e: unknown) => {
        this.live = null;
        throw e;
      },
    );
    return this.live;
  }

  private async loadLive(
    params: Record<string, string> | null,
    streamCarrier: string | null,
  ): Promise<LiveCall | null> {
    if (this.state.ended) return null;
    let plan = this.state.plan;
    if (!plan) {
      if (!params || !streamCarrier) return null;
      plan = await buildPlan(this.env, params, streamCarrier);
      this.state.setPlan(plan);
    }
    const carrier = this.carriers.get(plan.carrier);
    if (!carrier) throw new Error(`the call's carrier "${plan.carrier}" is not available`);
    return LiveCall.create(this.env, this.state, plan, this.store, carrier, this.toolFetch);
  }

  /** Created on first use, so a socket that never authenticates leaves no tables behind. */
  private get store(): AudioStore {
    // The frame batcher keeps each sender's timestamps distinct, so the store need not dedupe them.
    return (this.audio ??= AudioStore.fromStorage(this.ctx.storage, { trustedTimestamps: true }));
  }

  private silenceMs(): number {
    return this.state.options.silenceTimeoutMs ?? (Number(this.env.CALL_SILENCE_TIMEOUT_MS) || DEFAULT_SILENCE_MS);
  }

  private async armAlarm(inMs: number): Promise<void> {
    await this.ctx.storage.setAlarm(Date.now() + Math.max(1000, inMs));
  }
}
