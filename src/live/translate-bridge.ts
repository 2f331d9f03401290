import { voiceOrDefault, type ServerEvent } from "../ai/realtime";
import { base64Bytes } from "../lib/encoding";
import type { SenderType } from "../db/tickets";
import type { Bridge, BridgeDeps } from "./bridge";
import type { Leg, OutgoingFrames } from "./carrier";
import { interpreterInstructions } from "./call-plan";
import { RawMixer } from "./raw-mixer";
import { RealtimeLink } from "./realtime-link";
import { MediaLeg } from "./media-leg";

/** How long a leg may be silent on the wire before translation for its listener stops waiting to be mixed. */
const RAW_IDLE_MS = 250;

interface Direction {
  from: Leg;
  to: Leg;
  speaker: SenderType;
  link: RealtimeLink;
  mixer: RawMixer;
  cursorMs: number;
  speechAt: Map<string, number>;
  itemStart: Map<string, number>;
}

/**
 * Seed 000's Translate: the caller (the rep) and the receiver (the dialed party) each stream into this object;
 * one realtime session per direction interprets each side into the other's language and voice. With
 * ForwardRawAudio the listener also hears the speaker's own voice, the translation mixed into it.
 */
export class TranslateBridge implements Bridge {
  readonly legs: Record<Leg, MediaLeg> = { caller: new MediaLeg(), receiver: new MediaLeg() };
  private dirs: Record<Leg, Direction>;
  private lastRawAt: Record<Leg, number> = { caller: -Infinity, receiver: -Infinity };
  private plain = false;
  private counts = { frames: 0, aiChunks: 0, mixed: 0 };

  constructor(private readonly d: BridgeDeps) {
    const t = d.plan.translate!;
    const make = (
      from: Leg,
      to: Leg,
      speaker: SenderType,
      fromLang: string,
      toLang: string,
      voice: string | null,
    ): Direction => {
      const dir: Direction = {
        from,
        to,
        speaker,
        mixer: new RawMixer(),
        cursorMs: 0,
        speechAt: new Map(),
        itemStart: new Map(),
        link: new RealtimeLink({
          target: d.target,
          config: {
            instructions: interpreterInstructions(fromLang, toLang),
            voice: voiceOrDefault(voice),
            inputLanguage: fromLang,
            transcriptionModel: d.transcriptionModel,
          },
          maxSessionMs: d.sessionMaxMs,
          onEvent: (ev) => this.onAi(dir, ev),
          onFailure: (r) => d.aiFailed(r),
          carryOver: () => d.transcripts.carryOver(),
        }),
      };
      return dir;
    };
    this.dirs = {
      caller: make("caller", "receiver", "CustomerRep", t.callerLanguage, t.receiverLanguage, t.receiverVoice),
      receiver: make("receiver", "caller", "EndUser", t.receiverLanguage, t.callerLanguage, t.callerVoice),
    };
  }

  start(): void {
    this.dirs.caller.link.start();
    this.dirs.receiver.link.start();
  }

  attach(leg: Leg, ws: WebSocket, frames: OutgoingFrames, offsetMs: number): void {
    this.legs[leg].attach(ws, frames, offsetMs);
  }

  hasLeg(leg: Leg): boolean {
    return this.legs[leg].started;
  }

  media(leg: Leg, tsMs: number, payload: string): void {
    this.counts.frames++;
    const dir = this.dirs[leg];
    this.lastRawAt[leg] = this.d.now();
    this.d.record(dir.speaker, this.legs[leg].offsetMs + tsMs, payload);
    if (this.plain) return this.legs[dir.to].sendMedia(payload);
    dir.link.appendAudio(payload);
    if (!this.d.plan.translate!.forwardRaw) return;
    // The speaker's translation, bound for the same listener, rides on the speaker's raw frames.
    if (dir.mixer.queuedBytes) this.counts.mixed++;
    this.legs[dir.to].sendMedia(dir.mixer.mixFrame(payload));
  }

  mark(): void {
    /* interpreters are not interrupted, so marks carry nothing we need */
  }

  /** OpenAI is gone but both parties are here: keep them talking, untranslated. */
  passthrough(): boolean {
    if (!this.legs.caller.started || !this.legs.receiver.started) return false;
    this.plain = true;
    this.close();
    return true;
  }

  closeLegs(): void {
    this.legs.caller.close();
    this.legs.receiver.close();
  }

  close(): void {
    this.dirs.caller.link.close();
    this.dirs.receiver.link.close();
  }

  stats() {
    return { ...this.counts, sessions: this.dirs.caller.link.sessions + this.dirs.receiver.link.sessions };
  }

  private onAi(dir: Direction, ev: ServerEvent): void {
    switch (ev.type) {
      case "response.output_audio.delta": {
        this.counts.aiChunks++;
        dir.cursorMs = Math.max(dir.cursorMs, this.d.now());
        if (!dir.itemStart.has(ev.item_id)) dir.itemStart.set(ev.item_id, dir.cursorMs);
        this.d.record("AI", dir.cursorMs, ev.delta);
        dir.cursorMs += base64Bytes(ev.delta) / 8;
        // The listener's raw feed is the speaker leg's frames (dir.from): mix into them while they flow.
        const rawFlowing = this.d.plan.translate!.forwardRaw && this.d.now() - this.lastRawAt[dir.from] < RAW_IDLE_MS;
        if (rawFlowing) return dir.mixer.push(ev.delta);
        const stranded = dir.mixer.drain();
        if (stranded) this.legs[dir.to].sendMedia(stranded);
        return this.legs[dir.to].sendMedia(ev.delta);
      }
      case "input_audio_buffer.speech_started":
        if (ev.item_id) dir.speechAt.set(ev.item_id, this.d.now());
        return;
      case "conversation.item.input_audio_transcription.completed":
        return this.d.transcripts.add(dir.speaker, ev.transcript, dir.speechAt.get(ev.item_id) ?? this.d.now());
      case "response.output_audio_transcript.done":
        return this.d.transcripts.add("AI", ev.transcript, dir.itemStart.get(ev.item_id) ?? this.d.now());
      default:
        return;
    }
  }
}
