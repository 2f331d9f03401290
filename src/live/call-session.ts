import { DurableObject } from "cloudflare:workers";
import { parseTwilioFrame, type ParseResult, type StartMessage } from "../carriers/twilio/media-wire";
import type { Env } from "../env";
import type { Leg } from "./bridge";
import { buildPlan } from "./call-plan";
import { LiveCall } from "./live-call";
import { LiveState, type LiveOptions } from "./live-state";
import { AudioStore } from "../recordings/audio-store";
import { validStreamToken } from "./stream-token";

/** Per-socket state. */
interface SocketInfo {
  key: string;
  origin: string;
  leg: Leg | null;
  streamSid: string | null;
}

const DEFAULT_SILENCE_MS = 60_000;
/** A media stream socket must send an authorized `start` within this long. */
const START_TIMEOUT_MS = 10_000;
/** A prepared call whose media stream never starts is given up after this long. */
const PREPARE_TIMEOUT_MS = 60_000;

/**
 * One object per live call, keyed by the caller's CallSid (ticket uploads have their own TicketRecorder).
 * Live calls: Twilio's media stream sockets are accepted (in order, see `fetch`) and bridged to OpenAI
 * Realtime by a `LiveCall`; audio waits durably in the object's SQLite storage until it is finalized into R2.
 */
export class CallSession extends DurableObject<Env> {
  private live: Promise<LiveCall | null> | null = null;
  /** Frames are handled strictly in arrival order: media right after `start` waits for the token check. */
  private chain: Promise<void> = Promise.resolve();
  /** Frames waiting in `chain`; while any are, later frames queue behind them to keep their order. */
  private queued = 0;
  /** The call once loaded, for the synchronous hot path. */
  private liveNow: LiveCall | null = null;
  private sockets = new Map<WebSocket, SocketInfo>();
  private readonly state = new LiveState(this.ctx.storage.kv);
  private audio: AudioStore | null = null;
  readonly counters = { badFrames: 0, oversizedFrames: 0, rejectedStreams: 0, framesBeforeStart: 0 };

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: "Expected a WebSocket upgrade (Twilio Media Streams)" }, { status: 426 });
    }
    const url = new URL(request.url);
    const key = decodeURIComponent(url.pathname.split("/").pop() ?? "");
    // Not the hibernation API: workerd was seen delivering a burst of queued hibernatable-socket messages in
    // reverse order, and audio must stay in order. The outbound OpenAI socket keeps the object awake anyway.
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    server.accept();
    const info: SocketInfo = { key, origin: url.origin, leg: null, streamSid: null };
    this.sockets.set(server, info);
    // Nothing is stored for a socket until its `start` proves it came from our TwiML; one that never does is dropped.
    setTimeout(() => {
      if (!info.leg && this.sockets.has(server)) server.close(1008, "no authorized start");
    }, START_TIMEOUT_MS);
    server.addEventListener("message", (e) => this.onMessage(server, e.data as string | ArrayBuffer));
    server.addEventListener("close", (e) => void this.serially(() => this.legGone(server, `socket closed (${e.code})`)));
    server.addEventListener("error", () => void this.serially(() => this.legGone(server, "socket error")));
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Opens the call's OpenAI session(s) as soon as the webhook has answered, before Twilio's media stream
   * starts. `parameters` = the same <Parameter> map the TwiML carries (CustomerId, CallId, Mode, …).
   */
  async prepare(parameters: Record<string, string>): Promise<{ ok: boolean; error?: string }> {
    try {
      const live = await this.liveCall(parameters);
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

  /** Counters and bridge figures, for tests and diagnostics. */
  async stats(): Promise<Record<string, number | string | boolean | null>> {
    const live = this.live ? await this.live.catch(() => null) : null;
    return {
      ...this.counters, ...(live?.bridge.stats() ?? {}), recordedChunks: this.state.plan ? this.store.totalChunks() : 0, rejectedChunks: live?.recorder.rejected ?? 0,
      fallback: this.state.fallback, ended: this.state.ended, recordingId: this.state.recordingId,
    };
  }

  override async alarm(): Promise<void> {
    if (this.state.ended || !this.state.plan) return;
    const live = await this.liveCall(null).catch(() => null);
    if (!live) return;
    const started = this.state.epoch !== null;
    const idleSince = started ? Math.max(live.lastActivity, this.state.lastActivity ?? 0) : (this.state.preparedAt ?? 0);
    const limit = started ? this.silenceMs() : PREPARE_TIMEOUT_MS;
    if (Date.now() - idleSince < limit) return this.armAlarm(limit - (Date.now() - idleSince));
    await live.end(started ? "silence timeout" : "media stream never started");
  }

  /**
   * Media and marks of a started leg are handled at once when nothing is queued ahead of them (the hot path:
   * ~50 frames a second per leg); anything else, or anything behind a frame still being handled, is queued.
   */
  private onMessage(ws: WebSocket, data: string | ArrayBuffer): void {
    const parsed = parseTwilioFrame(data);
    const leg = this.sockets.get(ws)?.leg;
    if (parsed.ok && leg && this.queued === 0 && this.liveNow) {
      const m = parsed.message;
      if (m.event === "media") return this.liveNow.media(leg, m.media.timestamp, m.media.payload);
      if (m.event === "mark") return this.liveNow.mark(leg, m.mark.name);
    }
    void this.serially(() => this.onFrame(ws, parsed));
  }

  private serially(task: () => Promise<void>): Promise<void> {
    this.queued++;
    const next = this.chain
      .then(task)
      .catch((e: unknown) => {
        console.error(JSON.stringify({ level: "error", msg: "media stream frame failed", error: e instanceof Error ? e.message : String(e) }));
      })
      .finally(() => {
        this.queued--;
      });
    this.chain = next;
    return next;
  }

  private async onFrame(ws: WebSocket, parsed: ParseResult): Promise<void> {
    if (!parsed.ok) {
      if (parsed.reason === "oversized") this.counters.oversizedFrames++;
      else this.counters.badFrames++;
      return;
    }
    const m = parsed.message;
    const info = this.sockets.get(ws);
    if (!info || m.event === "connected") return;
    if (m.event === "start") return this.onStart(ws, info, m);
    if (!info.leg) {
      this.counters.framesBeforeStart++;
      return;
    }
    const live = await this.liveCall(null);
    if (!live) return;
    if (m.event === "media") return live.media(info.leg, m.media.timestamp, m.media.payload);
    if (m.event === "mark") return live.mark(info.leg, m.mark.name);
    if (m.event === "stop") return this.legGone(ws, "stop");
  }

  private async onStart(ws: WebSocket, info: SocketInfo, m: StartMessage): Promise<void> {
    const params = m.start.customParameters;
    const customerId = Number(params.CustomerId);
    const tokenOk = Number.isInteger(customerId) && (await validStreamToken(this.env, customerId, info.key, params.StreamToken ?? ""));
    const live = tokenOk && !this.state.ended ? await this.liveCall(params).catch(() => null) : null;
    if (!live || live.plan.customerId !== customerId) {
      this.counters.rejectedStreams++;
      ws.close(1008, "stream not authorized");
      return;
    }
    this.state.setAddress(info.key, info.origin);
    const leg: Leg = params.Leg === "receiver" ? "receiver" : "caller";
    info.leg = leg;
    info.streamSid = m.streamSid;
    live.start();
    await live.attach(leg, ws, m.streamSid, m.start.callSid);
    await this.armAlarm(this.silenceMs());
  }

  private async legGone(ws: WebSocket, reason: string): Promise<void> {
    const info = this.sockets.get(ws);
    this.sockets.delete(ws);
    if (!info?.leg || this.state.ended) return;
    const live = await this.liveCall(null);
    await live?.end(`${info.leg}: ${reason}`);
  }

  /** The call in memory, rebuilt from storage after a restart; built from `params` the first time. */
  private liveCall(params: Record<string, string> | null): Promise<LiveCall | null> {
    this.live ??= this.loadLive(params).then(
      (live) => (this.liveNow = live),
      (e: unknown) => {
        this.live = null;
        throw e;
      },
    );
    return this.live;
  }

  private async loadLive(params: Record<string, string> | null): Promise<LiveCall | null> {
    if (this.state.ended) return null;
    let plan = this.state.plan;
    if (!plan) {
      if (!params) return null;
      plan = await buildPlan(this.env, params);
      this.state.setPlan(plan);
    }
    return LiveCall.create(this.env, this.state, plan, this.store);
  }

  /** Created on first use, so a socket that never authenticates leaves no tables behind. */
  private get store(): AudioStore {
    // The live recorder keeps each sender's timestamps distinct, so the store need not dedupe them.
    return (this.audio ??= AudioStore.fromStorage(this.ctx.storage, { trustedTimestamps: true }));
  }

  private silenceMs(): number {
    return this.state.options.silenceTimeoutMs ?? (Number(this.env.CALL_SILENCE_TIMEOUT_MS) || DEFAULT_SILENCE_MS);
  }

  private async armAlarm(inMs: number): Promise<void> {
    await this.ctx.storage.setAlarm(Date.now() + Math.max(1000, inMs));
  }
}
