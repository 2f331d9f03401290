import { z } from "zod";
import { jsonUpload } from "../contact-upload";
import type { Operations } from "./define";
import { error, json, NOT_FOUND, noContent, RATE_LIMITED } from "./responses";
import { repOp } from "./ops-rep";
import { S, UNKNOWN } from "./samples";
import * as s from "./schemas";

const V = "/api/v1/voice-calls";
const CP = "/api/v1/campaigns";
const signedQuery = z.object({ exp: z.string().meta({ description: "Expiry (Unix seconds)" }), sig: z.string() });
const CONFLICT = error("Not possible in the current state (named in `error`)");

/** Rep calling through Twilio and the call-data API (SPEC §A, §D, §G). */
export const dataOperations: Operations = {
  "GET /api/TwilioCalls/voice-token": repOp(undefined, {
    summary: "A Twilio Voice access token for the rep's identity (browser softphone)",
    tag: "calls",
    responses: {
      200: json("The token", s.voiceToken),
      403: error("Lacks the scope, or twimlAppSidOverride is not the customer's"),
      409: error("No Twilio account configured"),
    },
    examples: [{ name: "token", status: 200 }],
  }),
  "POST /api/TwilioCalls/initiate-call": repOp(undefined, {
    summary: "Place a call: Twilio rings the rep's browser, then dials the number",
    tag: "calls",
    responses: { 201: json("The call", s.initiatedCall), 409: error("No Twilio account configured") },
    examples: [
      { name: "call", status: 201, body: { fromNumber: S.repNumber, toNumber: "+32 2 555 01 50" } },
      { name: "badNumber", status: 400, body: { fromNumber: S.repNumber, toNumber: "call me" } },
    ],
  }),
  "GET /api/TwilioCalls/call-status": repOp(undefined, {
    summary: "Status of a placed call (the dialed leg first, else the parent call)",
    tag: "calls",
    responses: { 200: json("The status", s.callStatus), 404: NOT_FOUND },
    examples: [{ name: "unknown", status: 404, query: { callSid: "CA00000000000000000000000000000000" } }],
  }),
  [`POST ${V}`]: repOp("calls:write", {
    summary: "Place an outbound AI call with an assistant",
    tag: "voice-calls",
    responses: { 201: json("The call", z.looseObject({ id: z.string() })), 404: NOT_FOUND, 409: CONFLICT },
    examples: [{ name: "noAssistant", status: 400, body: { to: "+3225550111" } }],
  }),
  [`GET ${V}`]: repOp("voice:read", {
    summary: "List calls (filters campaignId, state, direction, dateFrom, dateTo; stable order)",
    tag: "voice-calls",
    responses: { 200: json("A page of calls", s.voiceCallPage) },
    examples: [
      { name: "completed", status: 200, query: { state: "Completed", page: 1, pageSize: 10 } },
      { name: "badRange", status: 400, query: { dateFrom: "2026-02-01", dateTo: "2026-01-01" } },
    ],
  }),
  [`GET ${V}/:id`]: repOp("voice:read", {
    summary: "A call with its full transcript (and EPA results when present)",
    tag: "voice-calls",
    responses: { 200: json("The call", s.voiceCallDetail), 404: NOT_FOUND },
    examples: [
      { name: "found", status: 200, params: { id: S.callId } },
      { name: "unknown", status: 404, params: { id: UNKNOWN.call } },
    ],
  }),
  [`GET ${V}/:id/recording-url`]: repOp("audio:download", {
    summary: "A signed recording URL, valid 15 minutes, that needs no auth",
    tag: "voice-calls",
    responses: { 200: json("The signed URL", s.signedRecordingUrl), 404: NOT_FOUND, ...RATE_LIMITED },
    examples: [{ name: "signed", status: 200, params: { id: S.callId } }],
  }),
  [`GET ${V}/:id/epa-results`]: repOp("voice:read", {
    summary: "The call's post-call survey results",
    tag: "voice-calls",
    responses: { 200: json("The results", s.epaResults), 404: NOT_FOUND },
    examples: [{ name: "noSurvey", status: 404, params: { id: S.callId } }],
  }),
  [`DELETE ${V}/:id`]: repOp("voice:delete", {
    summary: "Delete a call with every copy",
    tag: "voice-calls",
    responses: { 204: noContent("Deleted"), 404: NOT_FOUND },
    examples: [{ name: "unknown", status: 404, params: { id: UNKNOWN.call } }],
  }),
  [`DELETE ${V}/:id/recording`]: repOp("voice:delete", {
    summary: "Delete a call's recordings (every version, the carrier's copy too)",
    tag: "voice-calls",
    responses: { 204: noContent("Deleted"), 404: NOT_FOUND },
    examples: [{ name: "unknown", status: 404, params: { id: UNKNOWN.call } }],
  }),
  "GET /api/voice/analytics/overview": repOp(undefined, {
    summary: "Totals over a date range (Cache-Control 60 s, ETag)",
    tag: "analytics",
    responses: { 200: json("The metrics", s.metrics), 304: noContent("Not modified"), ...RATE_LIMITED },
    examples: [{ name: "january", status: 200, query: { start_date: "2026-01-01", end_date: "2026-01-31" } }],
  }),
  "GET /api/voice/analytics/detailed": repOp(undefined, {
    summary: "Overview plus tool-call success rate and sentiment distribution",
    tag: "analytics",
    responses: { 200: json("The metrics", s.metrics), 304: noContent("Not modified"), ...RATE_LIMITED },
    examples: [{ name: "allTime", status: 200 }],
  }),
  "GET /api/voice/analytics/timeline": repOp(undefined, {
    summary: "Calls per day or hour (Cache-Control 300 s, ETag)",
    tag: "analytics",
    responses: { 200: json("The timeline", s.timeline), 304: noContent("Not modified"), ...RATE_LIMITED },
    examples: [
      { name: "daily", status: 200, query: { bucket: "day" } },
      { name: "badBucket", status: 400, query: { bucket: "week" } },
    ],
  }),
  "GET /api/voice/recordings/:conversationId": repOp(undefined, {
    summary:
      "Recording metadata with a signed URL; 404 with `available: false` (and `recording.available: false`) when none",
    tag: "analytics",
    responses: { 200: json("The recording", s.voiceRecording), 404: NOT_FOUND, ...RATE_LIMITED },
    examples: [{ name: "found", status: 200, params: { conversationId: S.callId } }],
  }),
  "GET /api/conversations": repOp(undefined, {
    summary: "Voice calls as conversations (status, limit, offset)",
    tag: "analytics",
    responses: { 200: json("A page of conversations", s.conversationPage) },
    examples: [{ name: "completed", status: 200, query: { channel: "voice", status: "completed", limit: 5 } }],
  }),
  "GET /api/conversations/:id/messages": repOp(undefined, {
    summary: "A conversation's transcript as messages",
    tag: "analytics",
    responses: { 200: json("The messages", s.conversationMessages), 404: NOT_FOUND },
    examples: [{ name: "found", status: 200, params: { id: S.callId } }],
  }),
  [`GET ${CP}`]: repOp("voice:read", {
    summary: "The customer's campaigns with their progress",
    tag: "campaigns",
    responses: { 200: json("The campaigns", s.list(s.campaignWithProgress)) },
    examples: [{ name: "list", status: 200 }],
  }),
  [`GET ${CP}/:id`]: repOp("voice:read", {
    summary: "A campaign with its progress",
    tag: "campaigns",
    responses: { 200: json("The campaign", s.campaignWithProgress), 404: NOT_FOUND },
    examples: [{ name: "found", status: 200, params: { id: S.campaignId } }],
  }),
  [`GET ${CP}/:id/contacts`]: repOp("voice:read", {
    summary: "A campaign's contacts (filter by state; paginated)",
    tag: "campaigns",
    responses: {
      200: json(
        "A page of contacts",
        z.object({ items: z.array(s.contact), total: z.number(), page: z.number(), pageSize: z.number() }),
      ),
      404: NOT_FOUND,
    },
    examples: [{ name: "pending", status: 200, params: { id: S.campaignId }, query: { state: "pending" } }],
  }),
  [`POST ${CP}/:id/contacts`]: repOp("campaigns:write", {
    summary: "Add numbers to call: text/csv (number,metadata…) or JSON; all or nothing unless skipInvalid",
    tag: "campaigns",
    request: { body: { description: "The contacts (or text/csv with a number column)", schema: jsonUpload } },
    responses: {
      200: json("Nothing new", s.contactUpload),
      201: json("Added", s.contactUpload),
      404: NOT_FOUND,
      413: error("Too many rows"),
      415: error("Neither CSV nor JSON"),
    },
    examples: [
      { name: "two", status: 201, params: { id: S.campaignId }, body: ["+3225550121", { number: "+3225550122" }] },
    ],
  }),
  [`POST ${CP}/:id/:action{start|pause|resume}`]: repOp("campaigns:write", {
    summary: "Start, pause or resume a campaign",
    tag: "campaigns",
    responses: { 200: json("The campaign", s.campaignWithProgress), 404: NOT_FOUND, 409: CONFLICT },
    examples: [{ name: "pauseDraft", status: 409, params: { id: S.campaignId, action: "pause" } }],
  }),
  "GET /api/recordings/download/:recordingId": {
    summary: "Download a recording by its signed URL (from recording-url); Range gives 206",
    tag: "voice-calls",
    security: "signedUrl",
    request: { query: signedQuery },
    responses: {
      200: { description: "The WAV", schema: s.wav, contentType: "audio/wav" },
      206: { description: "The requested range", schema: s.wav, contentType: "audio/wav" },
      403: error("Invalid or expired signature"),
      404: NOT_FOUND,
      416: error("Range not satisfiable"),
    },
    examples: [
      { name: "tampered", status: 403, params: { recordingId: S.recordingId }, query: { exp: "1", sig: "00" } },
    ],
  },
  "HEAD /api/recordings/download/:recordingId": {
    summary: "The recording's size and type, by its signed URL",
    tag: "voice-calls",
    security: "signedUrl",
    request: { query: signedQuery },
    responses: { 200: noContent("Headers only"), 403: noContent("Invalid or expired signature") },
    examples: [
      { name: "tampered", status: 403, params: { recordingId: S.recordingId }, query: { exp: "1", sig: "00" } },
    ],
  },
};
