import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { AudioStore } from "../recordings/audio-store";
import { buildPlan } from "./call-plan";
import type { CarrierRegistry, Leg, LegEvent, LegStatusReport, MediaWire, ParsedFrame } from "./carrier";
import { FrameOrder } from "./frame-order";
import { LiveCall } from "./live-call";
import { LiveState, type LiveOptions } from "./live-state";
import type { LegStatusResult } from "./receiver-leg";
import { STREAM_CARRIER_HEADER } from "./entry";
import { validStreamToken } from "./stream-token";

/** Per-socket state. */
interface SocketInfo {
  key: string;
  origin: string;
  carrier: string;
  wire: MediaWire;
  leg: Leg | null;
}

const DEFAULT_SILENCE_MS = 60_000;
/** A media stream socket must send an authorized `start` within this long. */
const START_TIMEOUT_MS = 10_000;
/** A prepared call whose media stream never starts is given up after this long. */
const PREPARE_TIMEOUT_MS = 60_000;

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
  private sockets = new Map<WebSocket, SocketInfo>();
  private readonly state = new LiveState(this.ctx.storage.kv);
  private audio: AudioStore | null = null;
  readonly counters = { badFrames: 0, oversizedFrames: 0, rejectedStreams: 0, framesBeforeStart: 0 };

  constructor(
    ctx: DurableObjectState,
    env: Env,
    private readonly carriers: CarrierRegistry,
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
    const info: SocketInfo = { key, origin: url.origin, carrier, wire, leg: null };
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
    try {
      const live = await this.liveCall(parameters, carrier);
      if (!live) return { ok: false, error: "call already ended" };
      live.start();
      this.state.setPreparedAt(Date.now());
      await this.armAlarm(PREPARE_TIMEOUT_MS);
      return { ok: true };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Per-call options (tests use short limits); applies to sessions opened afterwards. */
  async configure(options: LiveOptions): Promise<void> {
    this.state.setOptions(options);
  }

  /**
   * A carrier's report on a leg this call dialed (translate: the receiver), e.g. from its status webhook through
   * `reportLegStatus` (src/live/entry.ts). Handled in frame order, so it never races a leg's `start`.
   */
  async legStatus(report: LegStatusReport): Promise<LegStatusResult> {
    let result: LegStatusResult = { accepted: false, reason: "no such call" };
    await this.order.run(async () => {
      const plan = this.state.plan;
      if (!plan || plan.customerId !== report.customerId || plan.carrier !== report.carrier) return;
      const live = this.state.ended ? null : await this.liveCall(null, null);
      if (!live?.receiver) result = { accepted: false, reason: live ? "this call dials no leg" : "the call has ended" };
      else result = await live.receiver.status(report.callRef, report.state);
    });
    return result;
  }

  /** Counters and bridge figures, for tests and diagnostics. */
  async stats(): Promise<Record<string, number | string | boolean | null>> {
    const live = this.live ? await this.live.catch(() => null) : null;
    return {
      ...this.counters,
      ...(live?.bridge.stats() ?? {}),
      ...(live?.receiver ? { ringbackFrames: live.receiver.ringbackFrames } : {}),
      recordedChunks: this.state.plan ? this.store.totalChunks() : 0,
      rejectedChunks: live?.batcher.rejected ?? 0,
      fallback: this.state.fallback,
      ended: this.state.ended,
      recordingId: this.state.recordingId,
    };
  }

  override async alarm(): Promise<void> {
    if (this.state.ended || !this.state.plan) return;
    const live = await this.liveCall(null, null).catch(() => null);
    if (!live) return;
    const dialDeadline = live.receiver?.deadline() ?? null;
    if (dialDeadline !== null && Date.now() >= dialDeadline) await this.order.run(() => live.receiver!.timedOut());
    const started = this.state.epoch !== null;
    if (Date.now() < this.idleDeadline(live)) return this.armNext(live);
    await live.end(started ? "silence timeout" : "media stream never started");
  }

  /** When the call counts as abandoned: no frame for the silence timeout, or (not started) the prepare timeout. */
  private idleDeadline(live: LiveCall): number {
    if (this.state.epoch === null) return (this.state.preparedAt ?? 0) + PREPARE_TIMEOUT_MS;
    return Math.max(live.lastActivity, this.state.lastActivity ?? 0) + this.silenceMs();
  }

  /** One alarm per object: the earliest of the idle deadline and a ringing receiver's dial deadline. */
  private async armNext(live: LiveCall): Promise<void> {
    const dial = live.receiver?.deadline() ?? Infinity;
    await this.armAlarm(Math.min(this.idleDeadline(live), dial) - Date.now());
  }

  /**
   * Media and marks of a started leg are handled at once when nothing is queued ahead of them (the hot path:
   * ~50 frames a second per leg); anything else, or anything behind a frame still being handled, is queued.
   */
  private onMessage(ws: WebSocket, info: SocketInfo, data: string | ArrayBuffer): void {
    const parsed = info.wire.parse(data);
    const leg = info.leg;
    if (parsed.ok && leg && !this.order.busy && this.liveNow) {
      const ev = parsed.event;
      if (ev.kind === "media") return this.liveNow.media(leg, ev.timestampMs, ev.payload);
      if (ev.kind === "mark") return this.liveNow.mark(leg, ev.name);
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
    if (ev.kind === "start") return this.onStart(ws, info, ev);
    if (!info.leg) {
      this.counters.framesBeforeStart++;
      return;
    }
    const live = await this.liveCall(null, null);
    if (!live) return;
    if (ev.kind === "media") return live.media(info.leg, ev.timestampMs, ev.payload);
    if (ev.kind === "mark") return live.mark(info.leg, ev.name);
    if (ev.kind === "stop") return this.legGone(ws, "stop");
  }

  private async onStart(ws: WebSocket, info: SocketInfo, ev: Extract<LegEvent, { kind: "start" }>): Promise<void> {
    const params = ev.parameters;
    const customerId = Number(params.CustomerId);
    const tokenOk =
      Number.isInteger(customerId) &&
      (await validStreamToken(this.env, customerId, info.key, params.StreamToken ?? ""));
    const live = tokenOk && !this.state.ended ? await this.liveCall(params, info.carrier).catch(() => null) : null;
    if (!live || live.plan.customerId !== customerId || live.plan.carrier !== info.carrier) {
      this.counters.rejectedStreams++;
      ws.close(1008, "stream not authorized");
      return;
    }
    this.state.setAddress(info.key, info.origin);
    const leg: Leg = params.Leg === "receiver" ? "receiver" : "caller";
    info.leg = leg;
    live.start();
    await live.attach(leg, ws, info.wire.outgoing(ev.streamId), ev.callRef);
    await this.armNext(live);
  }

  private async legGone(ws: WebSocket, reason: string): Promise<void> {
    const info = this.sockets.get(ws);
    this.sockets.delete(ws);
    if (!info?.leg || this.state.ended) return;
    const live = await this.liveCall(null, null);
    await live?.legGone(info.leg, reason);
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
    return LiveCall.create(this.env, this.state, plan, this.store, carrier);
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
