import { voiceOrDefault, type ServerEvent } from "../ai/realtime";
import { base64Bytes } from "../lib/encoding";
import { AssistantTools, type AssistantCallDeps } from "./assistant-tools";
import type { Bridge, BridgeDeps } from "./bridge";
import type { Leg, OutgoingFrames } from "./carrier";
import { MediaLeg } from "./media-leg";
import { PlaybackTracker } from "./playback-tracker";
import { RealtimeLink } from "./realtime-link";
import { ToolRunner } from "./tool-runner";

/** How long a hang-up or hand-over waits for the carrier to confirm the assistant's last words played. */
const PLAYBACK_WAIT_MS = 30_000;

/**
 * The AI assistant answering a caller (docs/live-calls.md): caller audio to the model as is, the model's audio back with
 * one mark per chunk, barge-in truncating at what the carrier confirmed played, both sides' transcripts logged,
 * the model's function calls run by its tools (end, transfer, survey, HTTP), keypad digits to the survey.
 */
export class AssistantBridge implements Bridge {
  readonly caller = new MediaLeg();
  readonly tracker = new PlaybackTracker();
  readonly link: RealtimeLink;
  readonly runner: ToolRunner;
  readonly tools: AssistantTools;
  private aiCursorMs = 0;
  /** Replies that carried audio (the last one's id is checked first: it is nearly always the one). */
  private spoke = new Set<string>();
  private lastSpoke: string | null = null;
  private playedWaiters: (() => void)[] = [];
  private responding = false;
  private speechAt = new Map<string, number>();
  private itemStart = new Map<string, number>();
  private lastItem: string | null = null;
  /** The item a barge-in cut: its deltas still in flight are dropped, the caller must not hear them after the clear. */
  private cutItem: string | null = null;
  private counts = {
    truncates: 0,
    clears: 0,
    cancels: 0,
    aiChunks: 0,
    callerFrames: 0,
    speechStarts: 0,
    droppedAfterBargeIn: 0,
    digits: 0,
    ignoredDigits: 0,
  };

  constructor(
    private readonly d: BridgeDeps,
    call: AssistantCallDeps,
  ) {
    const a = d.plan.assistant!;
    this.runner = new ToolRunner({
      send: (ev) => this.link.send(ev),
      handle: (c) => this.tools.handle(c),
      record: (r) => call.recordToolCall(r),
    });
    this.tools = new AssistantTools(a, call, {
      runner: this.runner,
      send: (ev) => this.link.send(ev),
      setTools: (tools) => this.link.setTools(tools),
      spokeIn: (id) => id !== null && this.spoke.has(id),
      whenPlayed: () => this.whenPlayed(),
      interrupt: () => this.bargeIn(),
    });
    this.link = new RealtimeLink({
      target: d.target,
      config: {
        instructions: a.instructions,
        voice: voiceOrDefault(a.voice),
        inputLanguage: a.language,
        transcriptionModel: d.transcriptionModel,
        turnDetection: a.turnDetection,
        noiseReduction: a.noiseReduction,
        tools: this.tools.definitions(),
      },
      maxSessionMs: d.sessionMaxMs,
      onEvent: (ev) => this.onAi(ev),
      onFailure: (r) => d.aiFailed(r),
      carryOver: () => d.transcripts.carryOver(),
    });
  }

  start(): void {
    this.link.start();
    const welcome = this.d.plan.assistant?.welcome;
    if (welcome && !this.d.greeted) {
      this.d.markGreeted();
      // The assistant speaks first; queued until the socket is open, so it is ready when the stream starts.
      this.link.send({
        type: "response.create",
        response: { instructions: `Greet the caller by saying exactly this, then listen: "${welcome}"` },
      });
    }
  }

  attach(leg: Leg, ws: WebSocket, frames: OutgoingFrames, offsetMs: number): void {
    if (leg === "caller") this.caller.attach(ws, frames, offsetMs);
  }

  hasLeg(leg: Leg): boolean {
    return leg === "caller" && this.caller.started;
  }

  media(leg: Leg, tsMs: number, payload: string): void {
    if (leg !== "caller") return;
    this.counts.callerFrames++;
    this.link.appendAudio(payload);
    this.d.record("EndUser", this.caller.offsetMs + tsMs, payload);
  }

  mark(leg: Leg, name: string): void {
    if (leg !== "caller") return;
    this.tracker.echoed(name);
    if (this.playedWaiters.length && !this.tracker.playing) this.played();
  }

  dtmf(leg: Leg, digit: string): void {
    if (leg !== "caller") return;
    this.counts.digits++;
    if (!this.tools.dtmf(digit)) this.counts.ignoredDigits++;
  }

  /** Resolves once every chunk sent so far was confirmed played (or cleared), or after PLAYBACK_WAIT_MS. */
  whenPlayed(): Promise<void> {
    if (!this.tracker.playing) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, PLAYBACK_WAIT_MS);
      this.playedWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private played(): void {
    for (const w of this.playedWaiters.splice(0)) w();
  }

  passthrough(): boolean {
    return false;
  }

  closeLegs(): void {
    this.caller.close();
  }

  close(): void {
    this.link.close();
    this.tools.close();
    this.played();
  }

  stats() {
    return {
      ...this.counts,
      ...this.runner.counts,
      awaitingPlayback: this.playedWaiters.length,
      staleMarks: this.tracker.staleMarks,
      confirmedMarks: this.tracker.confirmedMarks,
      sessions: this.link.sessions,
      droppedQueued: this.link.droppedQueued,
    };
  }

  private onAi(ev: ServerEvent): void {
    switch (ev.type) {
      case "response.output_audio.delta": {
        if (ev.item_id === this.cutItem) {
          this.counts.droppedAfterBargeIn++;
          return;
        }
        const bytes = base64Bytes(ev.delta);
        if (ev.response_id && ev.response_id !== this.lastSpoke) {
          this.lastSpoke = ev.response_id;
          this.spoke.add(ev.response_id);
        }
        this.aiCursorMs = Math.max(this.aiCursorMs, this.d.now());
        // Deltas of one item come in a row: its start is looked up only when the item changes.
        if (ev.item_id !== this.lastItem) {
          this.lastItem = ev.item_id;
          if (!this.itemStart.has(ev.item_id)) this.itemStart.set(ev.item_id, this.aiCursorMs);
        }
        this.caller.sendMedia(ev.delta, this.tracker.sent(ev.item_id, bytes));
        this.d.record("AI", this.aiCursorMs, ev.delta);
        this.aiCursorMs += bytes / 8;
        this.counts.aiChunks++;
        return;
      }
      case "input_audio_buffer.speech_started":
        if (ev.item_id) this.speechAt.set(ev.item_id, this.d.now());
        this.counts.speechStarts++;
        return this.bargeIn();
      case "response.created":
        this.responding = true;
        return this.runner.responseCreated();
      case "response.done":
        this.responding = false;
        return this.runner.responseDone(ev);
      case "response.function_call_arguments.done":
        return this.runner.argumentsDone(ev);
      case "conversation.item.input_audio_transcription.completed":
        return this.d.transcripts.add("EndUser", ev.transcript, this.speechAt.get(ev.item_id) ?? this.d.now());
      case "response.output_audio_transcript.done":
        return this.d.transcripts.add("AI", ev.transcript, this.itemStart.get(ev.item_id) ?? this.d.now());
      case "error":
        console.warn(
          JSON.stringify({
            level: "warn",
            msg: "realtime error event",
            code: ev.error.code,
            message: ev.error.message,
          }),
        );
        return;
      default:
        return;
    }
  }

  /** The caller talks over the assistant: stop playback, stop the reply, and tell the model what was heard. */
  private bargeIn(): void {
    const playing = this.tracker.playing;
    if (playing || this.responding) this.cutItem = this.lastItem;
    const cut = this.tracker.bargeIn();
    if (playing) {
      this.caller.clear();
      this.counts.clears++;
    }
    if (this.responding) {
      this.link.send({ type: "response.cancel" });
      this.counts.cancels++;
    }
    if (cut) {
      this.link.send({
        type: "conversation.item.truncate",
        item_id: cut.itemId,
        content_index: 0,
        audio_end_ms: cut.audioEndMs,
      });
      this.counts.truncates++;
    }
    this.aiCursorMs = this.d.now();
    this.played();
  }
}
