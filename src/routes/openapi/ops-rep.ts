import { z } from "zod";
import type { Scope } from "../../auth/scopes";
import { batchSchema, chunkSchema } from "../audio-chunks";
import type { Operation, Operations } from "./define";
import { error, json, NOT_FOUND, noContent, RATE_LIMITED, REP_ERRORS } from "./responses";
import { S, UNKNOWN } from "./samples";
import * as s from "./schemas";

/** A rep route: the rep JWT, and the scope its router requires (src/auth/scopes.ts). */
export const repOp = (scope: Scope | undefined, o: Omit<Operation, "security" | "scope">): Operation => ({
  ...o,
  security: "repBearer",
  ...(scope ? { scope } : {}),
  responses: { ...REP_ERRORS, ...o.responses },
});
/** Tickets and audio uploads also take a phone-auth token, limited to its own number's phone tickets. */
const repOrPhone = (scope: Scope, o: Omit<Operation, "security" | "scope">): Operation => ({
  ...repOp(scope, o),
  security: ["repBearer", "phoneBearer"],
});

const T = "/api/tickets";
const chunks = batchSchema.pipe(z.array(chunkSchema));

export const repOperations: Operations = {
  "POST /api/Auth/phone-login/start": {
    summary: "Send a one-time login code by SMS to an end user's phone (through the tenant's Twilio account)",
    tag: "auth",
    security: "none",
    responses: {
      202: json("Sent, or silently not sent (the answer never says which numbers exist)", s.phoneCodeSent),
      400: error("Invalid input"),
      429: error("Too many codes for this number or client"),
    },
    examples: [{ name: "notAPhone", status: 400, body: { customerId: S.customerId, phoneNumber: "call me" } }],
  },
  "POST /api/Auth/phone-login": {
    summary: "Exchange the code for a phone-auth token",
    tag: "auth",
    security: "none",
    responses: {
      200: json("The phone-auth token", s.phoneToken),
      400: error("Invalid input"),
      401: error("Wrong or expired code"),
      429: error("Too many attempts"),
    },
    examples: [
      {
        name: "wrongCode",
        status: 401,
        body: { customerId: S.customerId, phoneNumber: "+32 2 555 01 77", code: "000000" },
      },
      { name: "shortCode", status: 400, body: { customerId: S.customerId, phoneNumber: "+3225550177", code: "12" } },
    ],
  },
  "GET /api/me": repOp(undefined, {
    summary: "The signed-in rep, their scopes and customer (no secrets)",
    tag: "rep",
    responses: { 200: json("The rep", s.me) },
    examples: [
      { name: "me", status: 200 },
      { name: "noToken", status: 401, auth: false },
    ],
  }),
  [`GET ${T}`]: repOrPhone("tickets:read", {
    summary: "List tickets (filters channel, status, phone number; paginated)",
    tag: "tickets",
    responses: { 200: json("A page of tickets", s.ticketPage) },
    examples: [
      { name: "phoneTickets", status: 200, query: { channel: "phone", page: 1, pageSize: 20 } },
      { name: "badChannel", status: 400, query: { channel: "fax" } },
    ],
  }),
  [`POST ${T}`]: repOrPhone("tickets:write", {
    summary: "Open a ticket",
    tag: "tickets",
    responses: { 201: json("The ticket", s.ticket) },
    examples: [{ name: "web", status: 201, body: { channel: "web", subject: "Invoice question" } }],
  }),
  [`GET ${T}/:id`]: repOrPhone("tickets:read", {
    summary: "A ticket with its messages",
    tag: "tickets",
    responses: { 200: json("The ticket", s.ticketDetail), 404: NOT_FOUND },
    examples: [
      { name: "found", status: 200, params: { id: S.ticketId } },
      { name: "unknown", status: 404, params: { id: UNKNOWN.int } },
    ],
  }),
  [`POST ${T}/:id/messages`]: repOrPhone("tickets:write", {
    summary: "Add a message to a ticket",
    tag: "tickets",
    responses: { 201: json("The message", s.ticketMessage), 404: NOT_FOUND },
    examples: [
      {
        name: "note",
        status: 201,
        params: { id: S.ticketId },
        body: { senderType: "CustomerRep", text: "Called back." },
      },
    ],
  }),
  [`GET ${T}/:id/recording`]: repOp("audio:download", {
    summary: "The ticket's latest recording (WAV from R2, with Range support)",
    tag: "tickets",
    responses: {
      200: { description: "The WAV", schema: s.wav, contentType: "audio/wav" },
      206: { description: "The requested range", schema: s.wav, contentType: "audio/wav" },
      404: NOT_FOUND,
      416: error("Range not satisfiable"),
      ...RATE_LIMITED,
    },
    examples: [{ name: "wav", status: 200, params: { id: S.ticketId } }],
  }),
  [`DELETE ${T}/:id`]: repOp("tickets:write", {
    summary: "Delete a ticket with its messages and recordings",
    tag: "tickets",
    responses: { 204: noContent("Deleted"), 404: NOT_FOUND },
    examples: [{ name: "unknown", status: 404, params: { id: UNKNOWN.int } }],
  }),
  [`DELETE ${T}/:id/recording`]: repOp("tickets:write", {
    summary: "Delete the ticket's recordings (every version)",
    tag: "tickets",
    responses: { 204: noContent("Deleted"), 404: NOT_FOUND },
    examples: [{ name: "unknown", status: 404, params: { id: UNKNOWN.int } }],
  }),
  "POST /api/AudioChunks/upload": repOrPhone("audio:upload", {
    summary: "Store 8 kHz μ-law chunks of a ticket's audio durably (idempotent per sender and timestamp)",
    tag: "audio",
    request: { json: chunks },
    responses: { 200: json("What was stored", z.looseObject({ ticketID: z.number(), received: z.number() })) },
    examples: [
      {
        name: "oneChunk",
        status: 200,
        body: [{ ticketID: S.ticketId, senderType: "EndUser", timestampMs: 0, base64AudioData: "//////////8=" }],
      },
      { name: "empty", status: 400, body: [] },
    ],
  }),
  "POST /api/AudioChunks/uploadAndFinalize": repOrPhone("audio:upload", {
    summary: "Store chunks, then mix every chunk of the ticket into a stereo WAV recording and transcribe it",
    tag: "audio",
    request: { json: chunks },
    responses: { 201: json("The recording", s.recording) },
    examples: [
      {
        name: "finalize",
        status: 201,
        body: [{ ticketID: S.ticketId, senderType: "AI", timestampMs: 20, base64AudioData: "//////////8=" }],
      },
      {
        name: "badSender",
        status: 400,
        body: [{ ticketID: S.ticketId, senderType: "Robot", timestampMs: 0, base64AudioData: "//8=" }],
      },
    ],
  }),
  "POST /api/Transcriptions/file": repOp(undefined, {
    summary: "Transcribe an uploaded audio file with the tenant's OpenAI key (streamed; 25 MB limit)",
    tag: "audio",
    request: { multipart: z.object({ file: z.string().meta({ format: "binary" }) }) },
    responses: {
      200: json("The text", s.transcriptionText),
      409: error("No OpenAI key or no transcription model for this customer"),
      413: error("Larger than the limit"),
    },
    examples: [{ name: "notMultipart", status: 400, headers: { "Content-Type": "text/plain" }, body: "hello" }],
  }),
  "POST /api/realtime/calls": repOp(undefined, {
    summary: "WebRTC: forward the browser's SDP offer to OpenAI Realtime with the tenant's key; returns the answer",
    tag: "audio",
    request: {
      multipart: z.object({
        sdp: z.string().meta({ description: "The SDP offer (application/sdp, no filename)" }),
        session: z.string().meta({ description: "The session config (application/json)" }),
      }),
    },
    responses: {
      201: { description: "OpenAI's SDP answer", schema: s.sdpAnswer, contentType: "application/sdp" },
      409: error("No OpenAI key for this customer"),
    },
    examples: [{ name: "notMultipart", status: 400, headers: { "Content-Type": "text/plain" }, body: "v=0" }],
  }),
};
