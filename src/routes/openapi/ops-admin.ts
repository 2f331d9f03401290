import type { Operation, Operations } from "./define";
import { ADMIN_ERRORS, error, json, NOT_FOUND, noContent } from "./responses";
import { S, UNKNOWN } from "./samples";
import * as s from "./schemas";

/** Provisioning, `/api/admin/*`: the ADMIN_TOKEN bearer (src/app.ts guards the whole prefix). */
const admin = (o: Omit<Operation, "security" | "tag">): Operation => ({
  ...o,
  tag: "admin",
  security: "adminBearer",
  responses: { ...ADMIN_ERRORS, ...o.responses },
});

const C = "/api/admin/customers";

export const adminOperations: Operations = {
  "GET /api/admin/health": admin({
    summary: "Deployment health: bindings, secrets, migrations, each tenant's carrier and OpenAI access",
    responses: { 200: json("Every check passed", s.healthReport), 503: json("A check failed", s.healthReport) },
    examples: [
      { name: "noToken", status: 401, auth: false },
      { name: "badQuery", status: 400, query: { tenants: "some" } },
    ],
  }),
  [`POST ${C}`]: admin({
    summary: "Create a customer (tenant) with its carrier and OpenAI settings",
    responses: { 201: json("The customer, secrets shown only as has…", s.customer) },
    examples: [
      { name: "minimal", status: 201, body: { name: "Acme Support" } },
      { name: "noName", status: 400, body: { retentionDays: 30 } },
    ],
  }),
  [`GET ${C}`]: admin({
    summary: "List customers",
    responses: { 200: json("A page of customers", s.limitPage(s.customer)) },
    examples: [{ name: "firstTwo", status: 200, query: { limit: 2, offset: 0 } }],
  }),
  [`GET ${C}/:id`]: admin({
    summary: "A customer",
    responses: { 200: json("The customer", s.customer), 404: NOT_FOUND },
    examples: [
      { name: "found", status: 200, params: { id: S.customerId } },
      { name: "unknown", status: 404, params: { id: UNKNOWN.int } },
    ],
  }),
  [`PATCH ${C}/:id`]: admin({
    summary: "Update a customer; carrier accounts (twilio, telnyx, ringcentral) and OpenAI settings are merged",
    responses: { 200: json("The customer", s.customer), 404: NOT_FOUND },
    examples: [
      { name: "retention", status: 200, params: { id: S.customerId }, body: { retentionDays: 90 } },
      { name: "badRetention", status: 400, params: { id: S.customerId }, body: { retentionDays: -1 } },
    ],
  }),
  [`POST ${C}/:id/ringcentral/subscription`]: admin({
    summary: "Create (or renew) the customer's RingCentral WebHook subscription to its telephony sessions",
    responses: {
      200: json("Renewed", s.ringCentralSubscription),
      201: json("Created", s.ringCentralSubscription),
      404: NOT_FOUND,
      409: error("The customer has no RingCentral account"),
    },
    examples: [
      { name: "noAccount", status: 409, params: { id: S.customerId } },
      { name: "unknown", status: 404, params: { id: UNKNOWN.int } },
    ],
  }),
  [`DELETE ${C}/:id`]: admin({
    summary: "Delete a customer: every row, recording, live object and carrier copy is purged in the background",
    responses: { 202: json("Purge queued", s.deletedCustomer), 404: NOT_FOUND },
    examples: [{ name: "unknown", status: 404, params: { id: UNKNOWN.int } }],
  }),
  [`POST ${C}/:id/reps`]: admin({
    summary: "Create a rep and the numbers they may call from",
    responses: { 201: json("The rep", s.rep), 404: NOT_FOUND, 409: error("Another rep has that identity") },
    examples: [{ name: "rep", status: 201, params: { id: S.customerId }, body: { name: "Rep Two" } }],
  }),
  [`GET ${C}/:id/reps`]: admin({
    summary: "List a customer's reps",
    responses: { 200: json("A page of reps", s.limitPage(s.rep)), 404: NOT_FOUND },
    examples: [{ name: "list", status: 200, params: { id: S.customerId } }],
  }),
  [`GET ${C}/:id/reps/:childId`]: admin({
    summary: "A rep",
    responses: { 200: json("The rep", s.rep), 404: NOT_FOUND },
    examples: [
      { name: "found", status: 200, params: { id: S.customerId, childId: S.repId } },
      { name: "unknown", status: 404, params: { id: S.customerId, childId: UNKNOWN.int } },
    ],
  }),
  [`PATCH ${C}/:id/reps/:childId`]: admin({
    summary: "Update a rep (numbers are added)",
    responses: { 200: json("The rep", s.rep), 404: NOT_FOUND },
    examples: [
      { name: "activate", status: 200, params: { id: S.customerId, childId: S.repId }, body: { active: true } },
    ],
  }),
  [`POST ${C}/:id/phone-numbers`]: admin({
    summary: "Add or reassign a number the customer owns (a rep's line or an assistant's)",
    responses: { 201: json("The number", s.phoneNumberRow), 404: NOT_FOUND },
    examples: [
      { name: "number", status: 201, params: { id: S.customerId }, body: { number: S.newNumber } },
      { name: "notANumber", status: 400, params: { id: S.customerId }, body: { number: "call me" } },
    ],
  }),
  [`GET ${C}/:id/phone-numbers`]: admin({
    summary: "List a customer's numbers",
    responses: { 200: json("The numbers", s.list(s.phoneNumberRow)), 404: NOT_FOUND },
    examples: [{ name: "list", status: 200, params: { id: S.customerId } }],
  }),
  [`POST ${C}/:id/assistants`]: admin({
    summary: "Create an AI assistant (instructions, voice, welcome message, turn detection)",
    responses: { 201: json("The assistant", s.assistant), 404: NOT_FOUND },
    examples: [
      {
        name: "assistant",
        status: 201,
        params: { id: S.customerId },
        body: { name: "Front desk", instructions: "Greet the caller and help.", voice: "alloy" },
      },
    ],
  }),
  [`GET ${C}/:id/assistants`]: admin({
    summary: "List a customer's assistants",
    responses: { 200: json("The assistants", s.list(s.assistant)), 404: NOT_FOUND },
    examples: [{ name: "list", status: 200, params: { id: S.customerId } }],
  }),
  [`PATCH ${C}/:id/assistants/:childId`]: admin({
    summary: "Update an assistant",
    responses: { 200: json("The assistant", s.assistant), 404: NOT_FOUND },
    examples: [
      { name: "rename", status: 200, params: { id: S.customerId, childId: S.assistantId }, body: { name: "Desk" } },
      { name: "unknown", status: 404, params: { id: S.customerId, childId: UNKNOWN.int }, body: { name: "Desk" } },
    ],
  }),
  [`POST ${C}/:id/assistants/:assistantId/tools`]: admin({
    summary: "Add an HTTP tool the assistant may call (header values are secrets, never returned)",
    responses: { 201: json("The tool", s.tool), 404: NOT_FOUND, 409: error("The assistant has a tool of that name") },
    examples: [
      {
        name: "tool",
        status: 201,
        params: { id: S.customerId, assistantId: S.assistantId },
        body: { name: "order_status", description: "Status of an order", url: "https://tools.example.com/status" },
      },
      {
        name: "badUrl",
        status: 400,
        params: { id: S.customerId, assistantId: S.assistantId },
        body: { name: "lookup_order", description: "Find an order", url: "http://insecure.example" },
      },
    ],
  }),
  [`GET ${C}/:id/assistants/:assistantId/tools`]: admin({
    summary: "List an assistant's tools",
    responses: { 200: json("The tools", s.list(s.tool)), 404: NOT_FOUND },
    examples: [{ name: "list", status: 200, params: { id: S.customerId, assistantId: S.assistantId } }],
  }),
  [`PATCH ${C}/:id/assistants/:assistantId/tools/:toolId`]: admin({
    summary: "Update a tool",
    responses: { 200: json("The tool", s.tool), 404: NOT_FOUND },
    examples: [
      {
        name: "timeout",
        status: 200,
        params: { id: S.customerId, assistantId: S.assistantId, toolId: S.toolId },
        body: { timeoutMs: 3000 },
      },
    ],
  }),
  [`DELETE ${C}/:id/assistants/:assistantId/tools/:toolId`]: admin({
    summary: "Remove a tool",
    responses: { 204: noContent("Removed"), 404: NOT_FOUND },
    examples: [
      { name: "unknown", status: 404, params: { id: S.customerId, assistantId: S.assistantId, toolId: UNKNOWN.int } },
    ],
  }),
  [`POST ${C}/:id/campaigns`]: admin({
    summary: "Create an outbound campaign (assistant, caller ID, calling hours, pace, survey)",
    responses: { 201: json("The campaign", s.campaign), 404: NOT_FOUND },
    examples: [{ name: "campaign", status: 201, params: { id: S.customerId }, body: { name: "Renewals" } }],
  }),
  [`GET ${C}/:id/campaigns`]: admin({
    summary: "List a customer's campaigns",
    responses: { 200: json("The campaigns", s.list(s.campaign)), 404: NOT_FOUND },
    examples: [{ name: "list", status: 200, params: { id: S.customerId } }],
  }),
  [`PATCH ${C}/:id/campaigns/:childId`]: admin({
    summary: "Update a campaign (each settings part is replaced whole)",
    responses: { 200: json("The campaign", s.campaign), 404: NOT_FOUND },
    examples: [
      {
        name: "rename",
        status: 200,
        params: { id: S.customerId, childId: S.campaignId },
        body: { name: "Q3 renewals" },
      },
    ],
  }),
  [`POST ${C}/:id/calls/:callId/survey`]: admin({
    summary: "Record a call's post-call survey answers (EPA results)",
    responses: { 200: json("The survey results", s.epaResults), 404: NOT_FOUND, 409: error("Not a survey call") },
    examples: [
      {
        name: "unknownCall",
        status: 404,
        params: { id: S.customerId, callId: "vc_000000000000000000000000" },
        body: { responses: [{ questionIndex: 0, score: 5 }] },
      },
    ],
  }),
  [`DELETE ${C}/:id/calls/:callId`]: admin({
    summary: "Delete a call with every copy (recordings, transcript, survey, live object, carrier copy)",
    responses: { 204: noContent("Deleted"), 404: NOT_FOUND },
    examples: [{ name: "unknown", status: 404, params: { id: S.customerId, callId: UNKNOWN.call } }],
  }),
  [`DELETE ${C}/:id/tickets/:ticketId`]: admin({
    summary: "Delete a ticket with its messages and recordings",
    responses: { 204: noContent("Deleted"), 404: NOT_FOUND },
    examples: [{ name: "unknown", status: 404, params: { id: S.customerId, ticketId: UNKNOWN.int } }],
  }),
  [`DELETE ${C}/:id/recordings/:recordingId`]: admin({
    summary: "Delete one recording (R2 object and the carrier's copy)",
    responses: { 204: noContent("Deleted"), 404: NOT_FOUND },
    examples: [{ name: "unknown", status: 404, params: { id: S.customerId, recordingId: UNKNOWN.call } }],
  }),
};
