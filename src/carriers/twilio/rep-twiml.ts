/** The TwiML of an inbound call to a rep's number (docs/campaigns.md, "Inbound calls to reps"). */
import { el, twimlDocument } from "./twiml";

/**
 * Rings the rep's browser (the Voice SDK identity) for `timeoutSeconds`; the caller hears ringing until the rep
 * answers (`answerOnBridge`). However the dial ends, Twilio asks `action` what next (with `DialCallStatus`).
 */
export const ringRepTwiml = (identity: string, o: { timeoutSeconds: number; action: string; callerId: string }) =>
  twimlDocument(
    el(
      "Dial",
      {
        timeout: String(o.timeoutSeconds),
        action: o.action,
        method: "POST",
        answerOnBridge: "true",
        callerId: o.callerId,
      },
      el("Client", {}, identity),
    ),
  );

export const VOICEMAIL_GREETING =
  "Sorry, nobody can take your call right now. Please leave a message after the tone, and we will get back to you.";
export const VOICEMAIL_THANKS = "Thank you for your message. Goodbye.";
/** The longest voicemail, in seconds. */
export const VOICEMAIL_MAX_SECONDS = 180;

/**
 * The greeting, then a recording of the caller's message: Twilio posts the finished recording to
 * `recordingCallback` (stored like every Twilio recording, on the caller's phone ticket) and asks `action` how to
 * end the call (without it Twilio would request this document again and loop).
 */
export const voicemailTwiml = (o: { action: string; recordingCallback: string }) =>
  twimlDocument(
    el("Say", {}, VOICEMAIL_GREETING),
    el("Record", {
      action: o.action,
      method: "POST",
      maxLength: String(VOICEMAIL_MAX_SECONDS),
      playBeep: "true",
      recordingStatusCallback: o.recordingCallback,
      recordingStatusCallbackMethod: "POST",
      recordingStatusCallbackEvent: "completed",
    }),
  );

export const hangupTwiml = () => twimlDocument(el("Hangup"));
