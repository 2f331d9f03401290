import { z } from "zod";
import { legStatusFields } from "../../carriers/twilio/leg-status";
import { telnyxEnvelope } from "../../carriers/telnyx/events";
import { voiceFieldsSchema } from "../../carriers/twilio/voice-fields";
import { amdFields } from "../twilio-amd";
import { recordingFields } from "../twilio-webhooks";
import type { ExampleObject, Operation, Operations } from "./define";
import { BAD_REQUEST, error, json, noContent, TWILIO_ERRORS } from "./responses";
import { S } from "./samples";
import * as s from "./schemas";

/**
 * The carriers' anonymous, signed webhooks and the media stream. A new carrier's webhook is one more entry here
 * (security: its scheme in src/routes/openapi/document.ts), e.g. `"POST /api/webhooks/telnyx/voice": twilio-like({…})`.
 */
const twilio = (o: Omit<Operation, "security" | "tag">): Operation => ({
  ...o,
  tag: "carrier webhooks",
  security: "twilioSignature",
  responses: { ...TWILIO_ERRORS, ...o.responses },
});

/** Telnyx's signed deliveries: both paths take every event type (src/routes/telnyx-webhooks.ts). */
const telnyx = (summary: string): Operation => ({
  summary,
  description:
    "Verified with the tenant's Ed25519 public key over `{telnyx-timestamp}|{body}` (at most 300 s old) before " +
    "anything is read or written; unknown event types and redeliveries are answered 200 and change nothing.",
  tag: "carrier webhooks",
  security: "telnyxSignature",
  request: { json: telnyxEnvelope },
  responses: {
    200: json("What the delivery did (or why it was ignored)", s.webhookAck),
    400: BAD_REQUEST,
    403: error("Missing, forged or stale signature, or no tenant for the connection"),
    413: error("Body over the webhook limit"),
  },
  examples: [{ name: "unsigned", status: 403, auth: false, body: { data: { event_type: "call.initiated" } } }],
});

/** What the TwiML webhooks read of Twilio's form (they check it by hand: Twilio sends many more fields). */
const callForm = z.looseObject({
  AccountSid: z.string(),
  CallSid: z.string(),
  From: z.string().optional(),
  To: z.string().optional(),
  Direction: z.string().optional(),
  CallStatus: z.string().optional(),
  DialCallStatus: z.string().optional(),
});

const TWIML = { description: "TwiML", schema: s.twiml, contentType: "text/xml" };
const CALL_SID = "CA11111111111111111111111111111111";
const unsigned = (body: ExampleObject) => ({ name: "unsigned", status: 403, auth: false, body }) as const;
const signedForm = (extra: ExampleObject = {}): ExampleObject => ({
  AccountSid: S.accountSid,
  CallSid: CALL_SID,
  ...extra,
});

export const carrierOperations: Operations = {
  "POST /api/TwilioCalls/voice": twilio({
    summary: "Twilio's voice webhook of a rep's call: TwiML that dials (recording) or streams for translation",
    request: { form: voiceFieldsSchema },
    responses: { 200: TWIML },
    examples: [
      unsigned({ AccountSid: S.accountSid, CallSid: CALL_SID }),
      {
        name: "dial",
        status: 200,
        body: signedForm({ RepID: S.repId, FromNumber: S.repNumber, To: "+3225550151", Record: "true" }),
      },
    ],
  }),
  "POST /api/TwilioCalls/statuscallback": twilio({
    summary: "Twilio's call status callback: updates the call record",
    request: { form: callForm },
    responses: { 200: json("What changed", s.webhookAck) },
    examples: [
      unsigned(signedForm()),
      { name: "unknownCall", status: 200, body: signedForm({ CallStatus: "completed" }) },
    ],
  }),
  "POST /api/TwilioCalls/legstatus": twilio({
    summary: "Status of a leg a live call dialed, forwarded to the call's Durable Object",
    request: { form: legStatusFields },
    responses: { 200: json("What the call did with it", s.webhookAck) },
    examples: [
      unsigned(signedForm({ CallStatus: "ringing" })),
      { name: "noCallParameter", status: 400, body: signedForm({ CallStatus: "ringing" }) },
    ],
  }),
  "POST /api/TwilioCalls/:repID/recordingcallback": twilio({
    summary: "Twilio's recording callback: queues the copy to R2, transcription and sentiment (idempotent)",
    request: { form: recordingFields },
    responses: {
      200: json("Ignored (not completed)", s.webhookAck),
      202: json("Queued, or a duplicate", s.webhookAck),
    },
    examples: [
      { ...unsigned(signedForm()), params: { repID: S.repId } },
      {
        name: "inProgress",
        status: 200,
        params: { repID: S.repId },
        body: signedForm({ RecordingSid: "RE11111111111111111111111111111111", RecordingStatus: "in-progress" }),
      },
    ],
  }),
  "POST /api/TwilioCalls/amdcallback": twilio({
    summary: "Answering-machine detection result of an outbound call: leave the message, hang up or go on",
    request: { form: amdFields },
    responses: { 200: json("The action taken", s.webhookAck) },
    examples: [
      unsigned(signedForm({ AnsweredBy: "human" })),
      { name: "unknownCall", status: 200, query: { onMachine: "hangup" }, body: signedForm({ AnsweredBy: "human" }) },
    ],
  }),
  "POST /twiml": twilio({
    summary: "Voice webhook of numbers answered by an assistant (or ringing a rep): `<Connect><Stream>`",
    request: { form: callForm },
    responses: { 200: TWIML },
    examples: [
      unsigned(signedForm()),
      { name: "notInService", status: 200, body: signedForm({ From: "+3225550130", To: "+3225550131" }) },
      { name: "noCallSid", status: 400, body: { AccountSid: S.accountSid } },
    ],
  }),
  "POST /twiml/rep-dial-done": twilio({
    summary: "The rep's browser was dialed: hang up when answered, else the AI fallback or voicemail",
    request: { form: callForm },
    responses: { 200: TWIML },
    examples: [
      unsigned(signedForm()),
      { name: "unknownCall", status: 200, body: signedForm({ DialCallStatus: "no-answer" }) },
    ],
  }),
  "POST /twiml/voicemail-done": twilio({
    summary: "The caller's voicemail was recorded: thank and hang up",
    request: { form: callForm },
    responses: { 200: TWIML },
    examples: [{ name: "thanks", status: 200, body: signedForm() }],
  }),
  "POST /api/webhooks/telnyx/voice": telnyx(
    "Telnyx Call Control webhooks (call.initiated/answered/hangup, call.recording.saved, …): call records, the AI answer, recordings",
  ),
  "POST /api/webhooks/telnyx/voice/conversational-ai": telnyx(
    "Telnyx AI assistant webhooks (ai.assistant.transcript/tool_call/response/ended): transcript, tool calls, outcome",
  ),
  "GET /streams/telnyx/:key": {
    summary: "Telnyx media stream WebSocket of a call (bidirectional PCMU), bridged by the call's Durable Object",
    description: "Authorized by the stream token our answer put in client_state (docs/telnyx.md).",
    tag: "carrier webhooks",
    security: "none",
    responses: {
      101: noContent("Switching protocols (WebSocket)"),
      400: error("Not a WebSocket upgrade"),
      404: error("Not a call_control_id (outside letters, digits, `:`, `_` and `-`)"),
    },
    examples: [
      { name: "notUpgrade", status: 400, params: { key: "v3:abcdefgh12345678" } },
      { name: "notACallControlId", status: 404, params: { key: "not.a.call" } },
    ],
  },
  "POST /api/webhooks/ringcentral/:customerId": {
    summary:
      "RingCentral's telephony-session notifications of a customer (and the subscription's validation handshake)",
    description:
      "Anonymous at the HTTP level: a handshake echoes `Validation-Token`; a notification must carry the " +
      "subscription's `Verification-Token` header, else 403 and nothing is written (docs/ringcentral.md).",
    tag: "carrier webhooks",
    security: "none",
    responses: {
      200: noContent("Handshake answered, or notification accepted"),
      400: BAD_REQUEST,
      403: error("Missing or wrong Verification-Token"),
      404: error("No RingCentral account for this customer"),
    },
    examples: [
      { name: "noAccount", status: 404, params: { customerId: S.customerId }, body: {} },
      { name: "notAnId", status: 400, params: { customerId: "abc" }, body: {} },
    ],
  },
  "GET /streams/:callSid": {
    summary: "Twilio Media Streams WebSocket of a call, bridged by the call's Durable Object",
    description: "Authorized by the StreamToken parameter of the stream's `start` message (from the TwiML).",
    tag: "carrier webhooks",
    security: "none",
    responses: {
      101: noContent("Switching protocols (WebSocket)"),
      400: error("Not a WebSocket upgrade"),
      404: error("Not a CallSid"),
    },
    examples: [
      { name: "notUpgrade", status: 400, params: { callSid: CALL_SID } },
      { name: "notACallSid", status: 404, params: { callSid: "nope" } },
    ],
  },
};

/** The Worker's own pages. */
export const metaOperations: Operations = {
  "GET /health": {
    summary: "Liveness",
    tag: "meta",
    security: "none",
    responses: { 200: json("Up", s.ok) },
    examples: [{ name: "up", status: 200 }],
  },
  "GET /openapi.json": {
    summary: "This document (OpenAPI 3.1)",
    tag: "meta",
    security: "none",
    responses: { 200: json("The document", z.looseObject({ openapi: z.literal("3.1.0") })) },
    examples: [{ name: "document", status: 200 }],
  },
  "GET /docs": {
    summary: "The API reference page (works offline: its script is served by this Worker's assets)",
    tag: "meta",
    security: "none",
    responses: { 200: { description: "HTML", schema: z.string(), contentType: "text/html" } },
    examples: [{ name: "page", status: 200 }],
  },
};
