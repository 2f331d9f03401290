/**
 * The seam between the live-call engine and a telephone carrier (docs/architecture.md, "How to add a carrier").
 * The engine (everything in src/live/) knows carriers only through these types; each carrier under
 * src/carriers/<name>/ implements them, and the composition root (src/index.ts) hands the engine a registry.
 * A call's carrier is chosen once, from its call record (`calls.carrier`), when the call starts.
 */
import type { Env } from "../env";

/** The legs of a live call: the caller, and (translated calls) the receiver the engine dials. */
export type Leg = "caller" | "receiver";

/** What one incoming media-stream frame means to the engine, whatever the carrier's wire format. */
export type LegEvent =
  /** The stream began: its id, the carrier's id of the call leg, and the parameters our answer attached to it. */
  | { kind: "start"; streamId: string; callRef: string; parameters: Record<string, string> }
  /** One chunk of base64 8 kHz μ-law audio, `timestampMs` after this stream's start. */
  | { kind: "media"; timestampMs: number; payload: string }
  /** The carrier echoes a mark we sent once the audio before it has played (or was cleared). */
  | { kind: "mark"; name: string }
  | { kind: "dtmf"; digit: string }
  | { kind: "stop" }
  /** Anything the engine needs not act on (a `connected` greeting, a carrier's error report, …). */
  | { kind: "other" };

export type FrameRejection = "oversized" | "binary" | "json" | "shape";
export type ParsedFrame = { ok: true; event: LegEvent } | { ok: false; reason: FrameRejection };

/** The frames one started stream sends back to its carrier. Built once per stream: they are on the hot path. */
export interface OutgoingFrames {
  media(payloadB64: string): string;
  mark(name: string): string;
  clear(): string;
}

/** A carrier's media-stream wire format (a WebSocket of text frames). */
export interface MediaWire {
  parse(data: string | ArrayBuffer): ParsedFrame;
  outgoing(streamId: string): OutgoingFrames;
}

/** Where a leg's media goes: the call's object (`key`, the name it is addressed by) at this Worker's origin. */
export interface StreamTarget {
  key: string;
  /** The externally visible origin the call's webhook arrived at (PUBLIC_BASE_URL when set). */
  origin: string;
  /** Delivered back in the stream's `start` (as LegEvent.parameters). */
  parameters: Record<string, string>;
}

/** A person a call can be handed to: a rep's browser client, or a phone number. */
export type PersonTarget = { kind: "rep"; identity: string } | { kind: "number"; number: string };

/** The carrier's view of a call leg, in the call records' state vocabulary. */
export type CarrierCallState =
  | "Queued"
  | "Ringing"
  | "InProgress"
  | "Completed"
  | "Busy"
  | "NoAnswer"
  | "Failed"
  | "Canceled";

/**
 * What a carrier tells the engine about a leg the engine dialed, through `reportLegStatus` (src/live/entry.ts):
 * at least its final state (Completed, Busy, NoAnswer, Failed, Canceled), within seconds of it.
 */
export interface LegStatusReport {
  /** The carrier's name (`Carrier.name`) and the tenant whose credentials placed the leg: both must match the call. */
  carrier: string;
  customerId: number;
  /** The dialed leg's id, as `dial` returned it. */
  callRef: string;
  state: CarrierCallState;
}

/** Call control with one tenant's credentials. Every method fails with an Error the engine logs. */
export interface CallControl {
  /** Answers an inbound call with a bidirectional μ-law media stream into `stream`. */
  answer(callRef: string, stream: StreamTarget): Promise<void>;
  /**
   * Places a second leg that rings for up to `timeoutSec`; once answered its audio streams into `stream`.
   * Resolves with the new leg's id. The carrier must report the leg's final state to the call's object
   * (`stream.key`) as a `LegStatusReport` (e.g. from a status webhook), so no-answer, busy, failed and
   * canceled reach the call within seconds.
   */
  dial(p: { to: string; from: string; stream: StreamTarget; timeoutSec: number }): Promise<{ callRef: string }>;
  /**
   * Hands the call to a person; our media stream on it ends. `announce`, when given, is spoken to the caller
   * first (so a transfer is never silence), then the person's line rings.
   */
  transfer(callRef: string, to: PersonTarget, callerId: string | null, announce?: string): Promise<void>;
  /**
   * Speaks `text` with the carrier's text-to-speech, then hangs up; our media stream on it ends. `language` (a
   * BCP 47 tag such as `fr-FR`, default English) is the language `text` is written in.
   */
  sayAndHangUp(callRef: string, text: string, language?: string): Promise<void>;
  /** Ends a leg: cancels it while it rings (`ringing`), hangs it up once answered. */
  hangUp(callRef: string, ringing: boolean): Promise<void>;
  status(callRef: string): Promise<CarrierCallState>;
}

export interface Carrier {
  /** The `calls.carrier` value of this carrier's calls. */
  readonly name: string;
  readonly wire: MediaWire;
  /** Call control with the tenant's credentials for this carrier. */
  control(env: Env, customerId: number): Promise<CallControl>;
}

export type CarrierRegistry = ReadonlyMap<string, Carrier>;

/** Builds the registry the composition root passes to the engine. */
export const carrierRegistry = (...carriers: Carrier[]): CarrierRegistry => new Map(carriers.map((c) => [c.name, c]));
