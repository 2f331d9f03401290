import type { RealtimeTarget } from "../ai/realtime";
import type { SenderType } from "../db/tickets";
import type { CallPlan } from "./call-plan";
import type { Leg, OutgoingFrames } from "./carrier";
import type { TranscriptLog } from "./transcript-log";

/** What a mode's bridge needs from the call around it. */
export interface BridgeDeps {
  plan: CallPlan;
  target: RealtimeTarget;
  transcriptionModel: string;
  sessionMaxMs: number;
  /** Milliseconds on the call's timeline (0 = the first media stream's start). */
  now(): number;
  /** Durably keeps one chunk of audio (base64 μ-law) at its place on the timeline. */
  record(sender: SenderType, atMs: number, payloadB64: string): void;
  transcripts: TranscriptLog;
  /** OpenAI refused or dropped for good: the call needs its fallback. */
  aiFailed(reason: string): void;
  /** Whether this call already greeted the caller (a restarted object must not greet twice). */
  greeted: boolean;
  markGreeted(): void;
}

/** One live-call mode: the AI assistant or the interpreter between two legs. */
export interface Bridge {
  start(): void;
  attach(leg: Leg, ws: WebSocket, frames: OutgoingFrames, offsetMs: number): void;
  media(leg: Leg, tsMs: number, payloadB64: string): void;
  mark(leg: Leg, name: string): void;
  /** A keypad digit the carrier heard on a leg (modes that take none leave it out). */
  dtmf?(leg: Leg, digit: string): void;
  /** AI is gone and the fallback keeps the call on these legs (e.g. plain audio between two connected legs). */
  passthrough(): boolean;
  hasLeg(leg: Leg): boolean;
  closeLegs(): void;
  close(): void;
  stats(): Record<string, number>;
}
