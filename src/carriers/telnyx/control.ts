import type { CallControl, CarrierCallState, PersonTarget, StreamTarget } from "../../live/carrier";
import { encodeClientState, HANGUP_AFTER_SPEAK, transferAfterSpeak } from "./client-state";
import { TelnyxApiError, TelnyxRest } from "./rest";

export interface TelnyxControlOptions {
  apiKey: string;
  /** The Call Control application (Telnyx's "connection") new legs are placed through. */
  connectionId: string;
  /** TELNYX_API_BASE_URL or the default (rest.ts `telnyxBaseUrl`). */
  baseUrl: string;
  /** Where a leg's media stream goes: a `wss://` URL of this Worker that names the call's object. */
  streamUrl: (target: StreamTarget) => string;
  /** The text-to-speech voice of `sayAndHangUp` (Telnyx's basic service takes "female" or "male"). */
  voice?: string;
}

/** Telnyx's error code for a command on a call that has already ended. */
export const CALL_ALREADY_ENDED = "90018";

/**
 * Every stream we open: the caller's audio only, as 8 kHz μ-law, and bidirectional RTP so the engine's `media`
 * frames are played to the caller. Field names and values are the telnyx SDK's (docs/telnyx.md, "Commands").
 */
const STREAM_SETTINGS = {
  stream_track: "inbound_track",
  stream_codec: "PCMU",
  stream_bidirectional_mode: "rtp",
  stream_bidirectional_codec: "PCMU",
} as const;

/**
 * Call control through Telnyx's Call Control API with one tenant's API key. The stream parameters (StreamToken,
 * CustomerId, …) travel as the command's `client_state`, which Telnyx hands back in the stream's `start` frame
 * (media-wire.ts) and in every later webhook of the call (docs/telnyx.md, "How a media stream authenticates").
 */
export class TelnyxControl implements CallControl {
  private readonly rest: TelnyxRest;

  constructor(private readonly o: TelnyxControlOptions) {
    this.rest = new TelnyxRest(o.apiKey, o.baseUrl);
  }

  private streamFields(target: StreamTarget) {
    return {
      stream_url: this.o.streamUrl(target),
      ...STREAM_SETTINGS,
      client_state: encodeClientState(target.parameters),
    };
  }

  async answer(callRef: string, stream: StreamTarget): Promise<void> {
    // A redelivered call.initiated answers again: the same command_id makes Telnyx ignore the repeat.
    await this.rest.action(callRef, "answer", { ...this.streamFields(stream), command_id: "voicedesk-answer" });
  }

  async dial(p: { to: string; from: string; stream: StreamTarget; timeoutSec: number }): Promise<{ callRef: string }> {
    const call = await this.rest.request<{ call_control_id?: unknown }>("POST", "/calls", {
      connection_id: this.o.connectionId,
      to: p.to,
      from: p.from,
      timeout_secs: p.timeoutSec,
      ...this.streamFields(p.stream),
    });
    if (typeof call?.call_control_id !== "string") {
      throw new TelnyxApiError(502, [], "Telnyx placed the call but named no call_control_id");
    }
    return { callRef: call.call_control_id };
  }

  /**
   * Telnyx bridges the caller to a new leg; our stream on the caller's leg is stopped after, so it ends as the
   * engine expects. An announcement is spoken first: Telnyx has no speak-then-transfer command, so the speak
   * carries the transfer in its client_state and the webhook seeing `call.speak.ended` makes it
   * (`afterSpeak`). A rep's browser client is a Twilio Voice SDK client, which Telnyx cannot reach.
   */
  async transfer(callRef: string, to: PersonTarget, callerId: string | null, announce?: string): Promise<void> {
    if (to.kind !== "number") throw new Error("a Telnyx call can be transferred to a phone number only, not a rep");
    if (announce) {
      await this.speak(callRef, announce, undefined, transferAfterSpeak(to.number, callerId));
      await this.stopStreaming(callRef);
      return;
    }
    await this.rest.action(callRef, "transfer", { to: to.number, ...(callerId ? { from: callerId } : {}) });
    await this.stopStreaming(callRef);
  }

  /** Telnyx speaks asynchronously: the webhook seeing `call.speak.ended` with our marker state hangs up. */
  async sayAndHangUp(callRef: string, text: string, language?: string): Promise<void> {
    await this.speak(callRef, text, language, HANGUP_AFTER_SPEAK);
    await this.stopStreaming(callRef);
  }

  private async speak(callRef: string, text: string, language: string | undefined, then: Record<string, string>) {
    await this.rest.action(callRef, "speak", {
      payload: text,
      payload_type: "text",
      voice: this.o.voice ?? "female",
      // Telnyx's voices take a locale (en-US, fr-FR, …); a bare language falls back to English.
      language: language && /^[a-z]{2}-[A-Z]{2}$/.test(language) ? language : "en-US",
      client_state: encodeClientState(then),
    });
  }

  /** The same command whether the leg still rings or was answered; a leg that has already ended is done. */
  async hangUp(callRef: string, _ringing: boolean): Promise<void> {
    try {
      await this.rest.action(callRef, "hangup", { command_id: "voicedesk-hangup" });
    } catch (e) {
      if (!(e instanceof TelnyxApiError && e.has(CALL_ALREADY_ENDED))) throw e;
    }
  }

  /** Telnyx reports only whether a leg is alive (not whether it still rings). */
  async status(callRef: string): Promise<CarrierCallState> {
    const call = await this.rest.request<{ is_alive?: unknown }>("GET", `/calls/${encodeURIComponent(callRef)}`);
    return call?.is_alive === true ? "InProgress" : "Completed";
  }

  /** Ends our media stream on a leg; a 422 (no stream any more, or the call ended) means it already has. */
  private async stopStreaming(callRef: string): Promise<void> {
    try {
      await this.rest.action(callRef, "streaming_stop", {});
    } catch (e) {
      if (!(e instanceof TelnyxApiError && e.status === 422)) throw e;
    }
  }
}
