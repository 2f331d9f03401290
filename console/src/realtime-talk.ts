import { client, send } from "./api";

/**
 * A browser conversation with the OpenAI Realtime model over WebRTC: microphone → RTCPeerConnection → the SDP
 * offer to the Worker (POST /api/realtime/calls, multipart `sdp` + `session`: the Worker adds the tenant's key and
 * model and forwards it) → the answer applied → the model's audio on a remote track and its events on the
 * `oai-events` data channel (docs/console.md, "Talk to the AI").
 */
export type TalkState = "idle" | "microphone" | "connecting" | "connected" | "ended" | "failed";

export interface TalkEvent {
  at: number;
  type: string;
  summary: string;
}

export interface TalkStats {
  packetsSent: number;
  packetsReceived: number;
  /** Sum of squared sample levels received (WebRTC's totalAudioEnergy): above 0 once sound, not silence, arrived. */
  energyReceived: number;
}

export interface TalkHandlers {
  state(state: TalkState, detail?: string): void;
  event(e: TalkEvent): void;
  remoteAudio(stream: MediaStream): void;
}

/** How long to wait for ICE candidates before sending the offer with what was gathered so far. */
const GATHER_WAIT_MS = 3000;

function summarize(e: Record<string, unknown>): string {
  for (const k of ["transcript", "delta", "text"]) if (typeof e[k] === "string") return String(e[k]).slice(0, 160);
  const err = e.error as { message?: string } | undefined;
  if (err?.message) return err.message;
  const session = e.session as { model?: string } | undefined;
  return session?.model ? `model ${session.model}` : "";
}

function microphoneProblem(e: unknown): string {
  const name = e instanceof DOMException ? e.name : "";
  if (name === "NotAllowedError") return "Microphone access was denied. Allow it in the browser and try again.";
  if (name === "NotFoundError") return "No microphone was found.";
  if (!window.isSecureContext) return "The microphone needs https or localhost.";
  return `The microphone could not be opened: ${e instanceof Error ? e.message : String(e)}`;
}

export class RealtimeTalk {
  private pc: RTCPeerConnection | null = null;
  private channel: RTCDataChannel | null = null;
  private mic: MediaStream | null = null;
  private stopped = false;
  callId: string | null = null;

  constructor(private readonly on: TalkHandlers) {}

  async start(session: Record<string, unknown>): Promise<void> {
    this.on.state("microphone");
    try {
      this.mic = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (e) {
      return this.fail(microphoneProblem(e));
    }
    if (this.stopped) return this.release();
    const pc = new RTCPeerConnection();
    this.pc = pc;
    for (const track of this.mic.getAudioTracks()) pc.addTrack(track, this.mic);
    pc.ontrack = (e) => this.on.remoteAudio(e.streams[0] ?? new MediaStream([e.track]));
    pc.onconnectionstatechange = () => {
      if (this.stopped) return;
      if (pc.connectionState === "connected") this.on.state("connected");
      if (pc.connectionState === "failed") this.fail("The audio connection failed (ICE/DTLS).");
    };
    const channel = pc.createDataChannel("oai-events");
    this.channel = channel;
    channel.onopen = () => this.log({ type: "data channel open" });
    channel.onmessage = (m) => {
      try {
        this.log(JSON.parse(String(m.data)) as Record<string, unknown>);
      } catch {
        this.log({ type: "unreadable message", text: String(m.data) });
      }
    };

    this.on.state("connecting");
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await this.gathered(pc);
      const form = new FormData();
      form.set("sdp", pc.localDescription?.sdp ?? "");
      form.set("session", JSON.stringify(session));
      const res = await send(client.api.realtime.calls.$url().pathname, { method: "POST", body: form });
      this.callId = res.headers.get("Location")?.split("/").pop() ?? null;
      const answer = await res.text();
      if (this.stopped) return;
      await pc.setRemoteDescription({ type: "answer", sdp: answer });
    } catch (e) {
      return this.fail(e instanceof Error ? e.message : String(e));
    }
  }

  /** A client event for the model, e.g. `{type: "response.create"}`. */
  send(event: Record<string, unknown>): boolean {
    if (this.channel?.readyState !== "open") return false;
    this.channel.send(JSON.stringify(event));
    this.log({ type: `sent ${String(event.type)}` });
    return true;
  }

  async stats(): Promise<TalkStats> {
    const out = { packetsSent: 0, packetsReceived: 0, energyReceived: 0 };
    if (!this.pc) return out;
    (await this.pc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.kind !== "audio") return;
      if (s.type === "outbound-rtp") out.packetsSent += Number(s.packetsSent ?? 0);
      if (s.type === "inbound-rtp") {
        out.packetsReceived += Number(s.packetsReceived ?? 0);
        out.energyReceived += Number(s.totalAudioEnergy ?? 0);
      }
    });
    return out;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.release();
    this.on.state("ended");
  }

  private release(): void {
    this.channel?.close();
    this.pc?.close();
    for (const t of this.mic?.getTracks() ?? []) t.stop();
  }

  private fail(detail: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.release();
    this.on.state("failed", detail);
  }

  private log(e: Record<string, unknown>): void {
    this.on.event({ at: Date.now(), type: String(e.type ?? "message"), summary: summarize(e) });
  }

  /** Candidates go in the offer (there is no trickle channel through one POST): wait for them, within reason. */
  private gathered(pc: RTCPeerConnection): Promise<void> {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        pc.removeEventListener("icegatheringstatechange", check);
        clearTimeout(timer);
        resolve();
      };
      const check = () => pc.iceGatheringState === "complete" && done();
      const timer = setTimeout(done, GATHER_WAIT_MS);
      pc.addEventListener("icegatheringstatechange", check);
    });
  }
}
