/**
 * Every route of the app, classified for the sweeps (test/sweeps/fuzz.test.ts, test/sweeps/idor.test.ts). Both
 * walk `createApp().routes` and fail on a route that is missing here, so a new route must get a row.
 *
 * To add a route: one row keyed `"METHOD /pattern"` exactly as Hono lists it (the probe in the coverage test prints
 * the missing keys). `auth` says how the fuzz sweep authenticates (so hostile input reaches validation, not just the
 * auth check), `body` what kind of body it reads, `idor` what tenant B gets with tenant A's ids.
 * A new carrier webhook (anonymous, signed) is typically:
 *   "POST /api/webhooks/telnyx/voice": { auth: "signed-webhook", body: "json", idor: NO_ID },
 * or, when its path names a tenant, `idor: { params: { customerId: "customer" }, expect: 403 }`.
 */

/** How a route is reached: the credential the fuzz sweep sends with a hostile request. */
export type Auth =
  | "none" // anonymous (phone login, health)
  | "admin" // ADMIN_TOKEN
  | "rep" // a rep JWT with every scope
  | "twilio" // anonymous, signed with the tenant's Twilio auth token (X-Twilio-Signature)
  | "signed-webhook" // anonymous, signed by another carrier: the sweep sends it unsigned (no fake signer yet)
  | "signed-url" // anonymous, the signed query is the credential
  | "stream"; // a WebSocket upgrade with a stream token

/** What the route reads from its body. */
export type Body = "none" | "json" | "form" | "multipart" | "contacts";

/** The tenant data an id names; the IDOR sweep fills it with tenant A's (test/sweeps/world.ts). */
export type IdKind =
  | "self" // the caller's own customer id (admin routes are per customer: B's id, with A's ids below it)
  | "customer"
  | "rep"
  | "ticket"
  | "call"
  | "callSid"
  | "assistant"
  | "tool"
  | "campaign"
  | "recording";

export type Ids = Record<Exclude<IdKind, "self">, string> & {
  accountSid: string;
  authToken: string;
  repNumber: string;
};

/** A route that names tenant data: tenant B's request with tenant A's ids. */
export interface Foreign {
  /** Path parameters and the data each names (`"=text"`: that literal text). */
  params?: Record<string, IdKind | `=${string}`>;
  /** Ids in the query or body, from tenant A's (`a`) and the caller's (`b`). */
  query?: (a: Ids, b: Ids) => Record<string, string>;
  json?: (a: Ids, b: Ids) => unknown;
  form?: (a: Ids, b: Ids) => Record<string, string>;
  /** The answer SPEC.md gives: 404 for foreign ids (§Data model), 403 for carrier webhooks (§Authentication). */
  expect: 404 | 403;
}

export type Idor =
  | { none: string } // takes no tenant id (say why it cannot leak)
  | { coveredBy: string } // swept by a dedicated test (its file)
  | Foreign;

export interface RouteClass {
  auth: Auth;
  body: Body;
  idor: Idor;
  /** A 5xx that is the route's documented answer, not a failure (the health report's 503). */
  allow5xx?: number;
}

const NO_ID = { none: "names no tenant data" };
/** A list of the caller's own tenant: the IDOR sweep checks that tenant B's never shows tenant A's rows. */
export const LIST = { none: "lists the caller's own tenant only" };
const CREATE = { none: "creates in the caller's own tenant; its body names no other tenant's data" };

export const ROUTES: Record<string, RouteClass> = {
  "GET /health": { auth: "none", body: "none", idor: NO_ID },
  "GET /openapi.json": { auth: "none", body: "none", idor: NO_ID },
  "GET /docs": { auth: "none", body: "none", idor: NO_ID },

  // provisioning (admin): a customer's path with another customer's children
  // 503 when a check fails (docs/deploy.md, "Health"): the test Worker has no real Twilio/OpenAI to reach
  "GET /api/admin/health": { auth: "admin", body: "none", idor: NO_ID, allow5xx: 503 },
  "POST /api/admin/customers": { auth: "admin", body: "json", idor: NO_ID },
  "GET /api/admin/customers": { auth: "admin", body: "none", idor: { none: "the admin sees every customer" } },
  "GET /api/admin/customers/:id": { auth: "admin", body: "none", idor: { none: "the admin sees every customer" } },
  "PATCH /api/admin/customers/:id": { auth: "admin", body: "json", idor: { none: "the admin edits any customer" } },
  "DELETE /api/admin/customers/:id": { auth: "admin", body: "none", idor: { none: "the admin deletes any customer" } },
  "POST /api/admin/customers/:id/reps": { auth: "admin", body: "json", idor: CREATE },
  "POST /api/admin/customers/:id/ringcentral/subscription": {
    auth: "admin",
    body: "none",
    idor: { none: "the admin subscribes any customer; the customer's own account is used" },
  },
  "GET /api/admin/customers/:id/reps": { auth: "admin", body: "none", idor: LIST },
  "GET /api/admin/customers/:id/reps/:childId": {
    auth: "admin",
    body: "none",
    idor: { params: { id: "self", childId: "rep" }, expect: 404 },
  },
  "PATCH /api/admin/customers/:id/reps/:childId": {
    auth: "admin",
    body: "json",
    idor: { params: { id: "self", childId: "rep" }, json: () => ({ name: "Stolen" }), expect: 404 },
  },
  "POST /api/admin/customers/:id/phone-numbers": {
    auth: "admin",
    body: "json",
    idor: {
      params: { id: "self" },
      json: (a) => ({ number: "+3225550199", repId: Number(a.rep), assistantId: Number(a.assistant) }),
      expect: 404,
    },
  },
  "GET /api/admin/customers/:id/phone-numbers": { auth: "admin", body: "none", idor: LIST },
  "POST /api/admin/customers/:id/assistants": { auth: "admin", body: "json", idor: CREATE },
  "GET /api/admin/customers/:id/assistants": { auth: "admin", body: "none", idor: LIST },
  "PATCH /api/admin/customers/:id/assistants/:childId": {
    auth: "admin",
    body: "json",
    idor: { params: { id: "self", childId: "assistant" }, json: () => ({ name: "Stolen" }), expect: 404 },
  },
  "POST /api/admin/customers/:id/assistants/:assistantId/tools": {
    auth: "admin",
    body: "json",
    idor: {
      params: { id: "self", assistantId: "assistant" },
      json: () => ({ name: "steal", description: "A tool.", url: "https://tools.voicedesk.test/x" }),
      expect: 404,
    },
  },
  "GET /api/admin/customers/:id/assistants/:assistantId/tools": {
    auth: "admin",
    body: "none",
    idor: { params: { id: "self", assistantId: "assistant" }, expect: 404 },
  },
  "PATCH /api/admin/customers/:id/assistants/:assistantId/tools/:toolId": {
    auth: "admin",
    body: "json",
    idor: { params: { id: "self", assistantId: "assistant", toolId: "tool" }, json: () => ({}), expect: 404 },
  },
  "DELETE /api/admin/customers/:id/assistants/:assistantId/tools/:toolId": {
    auth: "admin",
    body: "none",
    idor: { params: { id: "self", assistantId: "assistant", toolId: "tool" }, expect: 404 },
  },
  "POST /api/admin/customers/:id/campaigns": {
    auth: "admin",
    body: "json",
    idor: { params: { id: "self" }, json: (a) => ({ name: "Stolen", assistantId: Number(a.assistant) }), expect: 404 },
  },
  "GET /api/admin/customers/:id/campaigns": { auth: "admin", body: "none", idor: LIST },
  "PATCH /api/admin/customers/:id/campaigns/:childId": {
    auth: "admin",
    body: "json",
    idor: { params: { id: "self", childId: "campaign" }, json: () => ({ name: "Stolen" }), expect: 404 },
  },
  "POST /api/admin/customers/:id/calls/:callId/survey": {
    auth: "admin",
    body: "json",
    idor: {
      params: { id: "self", callId: "call" },
      json: () => ({ responses: [{ questionIndex: 0, score: 1, answer: "stolen" }] }),
      expect: 404,
    },
  },
  "DELETE /api/admin/customers/:id/calls/:callId": {
    auth: "admin",
    body: "none",
    idor: { params: { id: "self", callId: "call" }, expect: 404 },
  },
  "DELETE /api/admin/customers/:id/tickets/:ticketId": {
    auth: "admin",
    body: "none",
    idor: { params: { id: "self", ticketId: "ticket" }, expect: 404 },
  },
  "DELETE /api/admin/customers/:id/recordings/:recordingId": {
    auth: "admin",
    body: "none",
    idor: { params: { id: "self", recordingId: "recording" }, expect: 404 },
  },

  // phone login (anonymous): a tenant is named, but what it answers is covered by test/routes/phone-login.test.ts
  "POST /api/Auth/phone-login/start": {
    auth: "none",
    body: "json",
    idor: { coveredBy: "test/routes/phone-login.test.ts (unknown customer answered like a known one)" },
  },
  "POST /api/Auth/phone-login": {
    auth: "none",
    body: "json",
    idor: { coveredBy: "test/routes/phone-login.test.ts (a code for another number or tenant)" },
  },

  // reps
  "GET /api/me": { auth: "rep", body: "none", idor: NO_ID },
  "GET /api/tickets": { auth: "rep", body: "none", idor: LIST },
  "POST /api/tickets": { auth: "rep", body: "json", idor: CREATE },
  "GET /api/tickets/:id": { auth: "rep", body: "none", idor: { params: { id: "ticket" }, expect: 404 } },
  "POST /api/tickets/:id/messages": {
    auth: "rep",
    body: "json",
    idor: { params: { id: "ticket" }, json: () => ({ senderType: "CustomerRep", text: "stolen" }), expect: 404 },
  },
  "GET /api/tickets/:id/recording": { auth: "rep", body: "none", idor: { params: { id: "ticket" }, expect: 404 } },
  "DELETE /api/tickets/:id": { auth: "rep", body: "none", idor: { params: { id: "ticket" }, expect: 404 } },
  "DELETE /api/tickets/:id/recording": {
    auth: "rep",
    body: "none",
    idor: { params: { id: "ticket" }, expect: 404 },
  },
  "POST /api/AudioChunks/upload": {
    auth: "rep",
    body: "json",
    idor: {
      json: (a) => [{ ticketID: Number(a.ticket), senderType: "EndUser", timestampMs: 0, base64AudioData: "//8=" }],
      expect: 404,
    },
  },
  "POST /api/AudioChunks/uploadAndFinalize": {
    auth: "rep",
    body: "json",
    idor: {
      json: (a) => [{ ticketID: Number(a.ticket), senderType: "EndUser", timestampMs: 0, base64AudioData: "//8=" }],
      expect: 404,
    },
  },
  "POST /api/Transcriptions/file": { auth: "rep", body: "multipart", idor: NO_ID },
  "POST /api/realtime/calls": { auth: "rep", body: "multipart", idor: NO_ID },
  "GET /api/TwilioCalls/voice-token": {
    auth: "rep",
    body: "none",
    idor: { coveredBy: "test/routes/twilio-voice-token.test.ts (twimlAppSidOverride must be the tenant's)" },
  },
  "POST /api/TwilioCalls/initiate-call": {
    auth: "rep",
    body: "json",
    idor: { coveredBy: "test/routes/twilio-initiate-call.test.ts (another tenant's fromNumber refused like nobody's)" },
  },
  "GET /api/TwilioCalls/call-status": {
    auth: "rep",
    body: "none",
    idor: { query: (a) => ({ callSid: a.callSid }), expect: 404 },
  },
  "POST /api/v1/voice-calls": {
    auth: "rep",
    body: "json",
    idor: { json: (a) => ({ assistantId: Number(a.assistant), to: "+32470000099" }), expect: 404 },
  },
  "GET /api/v1/voice-calls": { auth: "rep", body: "none", idor: LIST },
  "GET /api/v1/voice-calls/:id": { auth: "rep", body: "none", idor: { params: { id: "call" }, expect: 404 } },
  "GET /api/v1/voice-calls/:id/recording-url": {
    auth: "rep",
    body: "none",
    idor: { params: { id: "call" }, expect: 404 },
  },
  "GET /api/v1/voice-calls/:id/epa-results": {
    auth: "rep",
    body: "none",
    idor: { params: { id: "call" }, expect: 404 },
  },
  "DELETE /api/v1/voice-calls/:id": { auth: "rep", body: "none", idor: { params: { id: "call" }, expect: 404 } },
  "DELETE /api/v1/voice-calls/:id/recording": {
    auth: "rep",
    body: "none",
    idor: { params: { id: "call" }, expect: 404 },
  },
  "GET /api/voice/analytics/overview": { auth: "rep", body: "none", idor: LIST },
  "GET /api/voice/analytics/detailed": { auth: "rep", body: "none", idor: LIST },
  "GET /api/voice/analytics/timeline": { auth: "rep", body: "none", idor: LIST },
  "GET /api/voice/recordings/:conversationId": {
    auth: "rep",
    body: "none",
    idor: { params: { conversationId: "call" }, expect: 404 },
  },
  "GET /api/conversations": { auth: "rep", body: "none", idor: LIST },
  "GET /api/conversations/:id/messages": {
    auth: "rep",
    body: "none",
    idor: { params: { id: "call" }, expect: 404 },
  },
  "GET /api/v1/campaigns": { auth: "rep", body: "none", idor: LIST },
  "GET /api/v1/campaigns/:id": { auth: "rep", body: "none", idor: { params: { id: "campaign" }, expect: 404 } },
  "GET /api/v1/campaigns/:id/contacts": {
    auth: "rep",
    body: "none",
    idor: { params: { id: "campaign" }, expect: 404 },
  },
  "POST /api/v1/campaigns/:id/contacts": {
    auth: "rep",
    body: "contacts",
    idor: { params: { id: "campaign" }, json: () => [{ number: "+32470000098" }], expect: 404 },
  },
  "POST /api/v1/campaigns/:id/:action{start|pause|resume}": {
    auth: "rep",
    body: "none",
    idor: { params: { id: "campaign", action: "=start" }, expect: 404 },
  },

  // signed recording URLs: the signature is the credential
  "GET /api/recordings/download/:recordingId": {
    auth: "signed-url",
    body: "none",
    idor: { params: { recordingId: "recording" }, expect: 403 },
  },
  "HEAD /api/recordings/download/:recordingId": {
    auth: "signed-url",
    body: "none",
    idor: { params: { recordingId: "recording" }, expect: 403 },
  },

  // Twilio (anonymous, signed): anything naming another tenant's rep or call is 403 (SPEC.md §Authentication)
  "POST /api/TwilioCalls/voice": {
    auth: "twilio",
    body: "form",
    idor: {
      form: (a, b) => ({
        AccountSid: b.accountSid,
        CallSid: `CA${"0".repeat(31)}1`,
        FromNumber: a.repNumber,
        To: "+32470000097",
        RepID: a.rep,
      }),
      expect: 403,
    },
  },
  "POST /api/TwilioCalls/statuscallback": {
    auth: "twilio",
    body: "form",
    idor: { coveredBy: "test/routes/twilio-recording-callback.test.ts and webhook-replays (status of own calls)" },
  },
  "POST /api/TwilioCalls/legstatus": {
    auth: "twilio",
    body: "form",
    idor: { coveredBy: "test/routes/twilio-legstatus.test.ts" },
  },
  "POST /api/TwilioCalls/:repID/recordingcallback": {
    auth: "twilio",
    body: "form",
    idor: {
      params: { repID: "rep" },
      form: (a, b) => ({
        AccountSid: b.accountSid,
        CallSid: a.callSid,
        RecordingSid: `RE${"0".repeat(31)}1`,
        RecordingStatus: "completed",
      }),
      expect: 403,
    },
  },
  "POST /api/TwilioCalls/amdcallback": {
    auth: "twilio",
    body: "form",
    idor: { coveredBy: "test/outbound/amd.test.ts" },
  },
  "POST /twiml": { auth: "twilio", body: "form", idor: { coveredBy: "test/routes/twiml.test.ts" } },
  "POST /twiml/rep-dial-done": { auth: "twilio", body: "form", idor: { coveredBy: "test/routes/twiml-rep.test.ts" } },
  "POST /twiml/voicemail-done": {
    auth: "twilio",
    body: "form",
    idor: { coveredBy: "test/routes/twiml-rep.test.ts" },
  },
  // Telnyx and RingCentral (anonymous, signed with the tenant's key or the subscription's token)
  "POST /api/webhooks/telnyx/voice": {
    auth: "signed-webhook",
    body: "json",
    idor: { coveredBy: "test/carriers/telnyx/webhook-refusals.test.ts (another tenant's key, crossed connection)" },
  },
  "POST /api/webhooks/telnyx/voice/conversational-ai": {
    auth: "signed-webhook",
    body: "json",
    idor: { coveredBy: "test/carriers/telnyx/webhook-refusals.test.ts (another tenant's key, crossed connection)" },
  },
  "POST /api/webhooks/ringcentral/:customerId": {
    auth: "signed-webhook",
    body: "json",
    idor: { coveredBy: "test/carriers/ringcentral/webhook.test.ts (another subscription's Verification-Token)" },
  },
  "GET /streams/telnyx/:key": {
    auth: "stream",
    body: "none",
    idor: { coveredBy: "test/live/stream-admission.test.ts on the Telnyx driver (another call's token is refused)" },
  },
  "GET /streams/:callSid": {
    auth: "stream",
    body: "none",
    idor: { coveredBy: "test/live/stream-admission.test.ts (another call's or leg's token is refused)" },
  },
};

/** The app's routes as `"METHOD /pattern"` keys (Hono lists middleware as ALL; a trailing slash is the same route). */
export function appRouteKeys(routes: { method: string; path: string }[]): string[] {
  return [
    ...new Set(routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path.replace(/(.)\/$/, "$1")}`)),
  ];
}
