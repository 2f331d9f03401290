import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { CallAlarm, PREPARE_TIMEOUT_MS } from "./call-alarm";
import type { CarrierRegistry, LegEvent, LegStatusReport, ParsedFrame } from "./carrier";
import { endingWithRetry } from "./finalize-retry";
import { FrameOrder } from "./frame-order";
import { platformFetch, type ToolFetch } from "./http-tool";
import type { LiveCall } from "./live-call";
import { LoadedCall } from "./loaded-call";
import { LiveState, type LiveOptions } from "./live-state";
import type { LegStatusResult } from "./receiver-leg";
import { STREAM_CARRIER_HEADER } from "./entry";
import { MediaSocket } from "./media-socket";

/** A media stream socket must send an authorized `start` within this long. */
const START_TIMEOUT_MS = 10_000;

/**
 * One object per live call, named by its caller leg's carrier id (ticket uploads have their own TicketRecorder).
 * The carrier's media stream sockets are accepted (in order, see `fetch`) and bridged to OpenAI Realtime by a
 * `LiveCall`; audio waits durably in the object's SQLite storage until it is finalized into R2. Carriers are
 * known only through the registry the composition root passes in (src/index.ts).
 */
export class CallObjectEngine extends DurableObject<Env> {
  private readonly order = new FrameOrder();
  private sockets = new Map<WebSocket, MediaSocket>();
  private state = new LiveState(this.ctx.storage.kv);
  private readonly alarmClock = new CallAlarm(this.ctx.storage, this.env);
  private readonly call: LoadedCall;
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
    toolFetch: ToolFetch = platformFetch,
  ) {
    super(ctx, env);
    this.call = new LoadedCall(ctx.storage, env, carriers, toolFetch, () => this.state);
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
    // Not the hibernation API: it cost more CPU per frame in bench/bridge (docs/performance.md, "Round three"),
    // workerd was once seen delivering a burst of queued hibernatable-socket messages in reverse order, and the
    // outbound OpenAI socket keeps the object awake anyway.
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
      await this.alarmClock.in(PREPARE_TIMEOUT_MS);
      const live = await this.call.get(parameters, carrier);
      if (!live) return { ok: false, error: "call already ended" };
      live.start();
      return { ok: true };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
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
      const live = this.state.ended ? null : await this.call.get(null, null);
      if (!live?.receiver) result = { accepted: false, reason: live ? "this call dials no leg" : "the call has ended" };
      else result = await live.receiver.status(report.callRef, report.state);
    });
    return result;
  }

  /**
   * Deletes everything this object holds (its call or its customer is being deleted, docs/data-lifecycle.md):
   * the legs are closed, nothing is finalized, the stored audio and state are gone.
   */
  async purge(): Promise<void> {
    this.call.forget();
    for (const ws of this.sockets.keys()) {
      try {
        ws.close(1000, "call deleted");
      } catch {
        /* already closed */
      }
    }
    this.sockets.clear();
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
    const live = await this.call.ifLoaded();
    return {
      ...this.counters,
      ...(live?.bridge.stats() ?? {}),
      ...(live?.receiver ? { ringbackFrames: live.receiver.ringbackFrames } : {}),
      recordedChunks: this.state.plan ? this.call.store.totalChunks() : 0,
      rejectedChunks: live?.batcher.rejected ?? 0,
      fallback: this.state.fallback,
      ended: this.state.ended,
      finalizeFailures: this.state.finalizeFailures?.count ?? 0,
      recordingId: this.state.recordingId,
    };
  }

  override async alarm(): Promise<void> {
    if (this.state.ended || !this.state.plan) return;
    const live = await this.call.get(null, null).catch(() => null);
    if (!live) return;
    if (this.state.finalizeFailures) return this.endCall(live, "finalize retry");
    const dialDeadline = live.receiver?.deadline() ?? null;
    if (dialDeadline !== null && Date.now() >= dialDeadline) await this.order.run(() => live.receiver!.timedOut());
    const started = this.state.epoch !== null;
    if (Date.now() < this.alarmClock.idleDeadline(this.state, live)) return this.alarmClock.next(this.state, live);
    await this.endCall(live, started ? "silence timeout" : "media stream never started");
  }

  private endCall(live: LiveCall, reason: string): Promise<void> {
    return endingWithRetry(this.state, live, () => live.end(reason), this.alarmClock);
  }

  /**
   * Media and marks of a started leg are handled at once when nothing is queued ahead of them (the hot path:
   * ~50 frames a second per leg); anything else, or anything behind a frame still being handled, is queued.
   */
  private onMessage(ws: WebSocket, info: MediaSocket, data: string | ArrayBuffer): void {
    const parsed = info.wire.parse(data);
    const leg = info.leg;
    if (parsed.ok && leg && !this.order.busy && this.call.now) {
      const ev = parsed.event;
      if (ev.kind === "media") return this.call.now.media(leg, ev.timestampMs, ev.payload);
      if (ev.kind === "mark") return this.call.now.mark(leg, ev.name);
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
    const live = await this.call.get(null, null);
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
    const live = grant && !this.state.ended ? await this.call.get(params, info.carrier).catch(() => null) : null;
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
    await this.alarmClock.next(this.state, live);
  }

  private async legGone(ws: WebSocket, reason: string): Promise<void> {
    const info = this.sockets.get(ws);
    this.sockets.delete(ws);
    if (!info?.leg || this.state.ended) return;
    const live = await this.call.get(null, null);
    const leg = info.leg;
    if (live) await endingWithRetry(this.state, live, () => live.legGone(leg, reason), this.alarmClock);
  }
}
