import { z } from "zod";
import { CALL_STATES } from "../../db/calls";
import { CHANNELS, SENDER_TYPES, TICKET_STATUSES } from "../../db/tickets";

/**
 * Response bodies as the document states them (requests are the routes' own schemas). A plain `z.object` is closed
 * (`additionalProperties: false` in the document), so a field a route starts returning without documenting it fails
 * test/openapi/examples.test.ts; a `looseObject` documents the fields that matter of a larger, open shape.
 */

const id = z.number().int();
const when = z.string();
const nullableText = z.string().nullable();

export const errorBody = z
  .looseObject({
    error: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Error", description: "Every error: `error` says what was wrong; validation errors name each field." });

export const voiceCall = z
  .object({
    id: z.string(),
    campaignId: id.nullable(),
    direction: z.enum(["Inbound", "Outbound"]),
    carrier: z.string().meta({ description: "twilio, telnyx, ringcentral or webrtc" }),
    state: z.enum(CALL_STATES),
    startTime: nullableText,
    endTime: nullableText,
    durationSeconds: z.number().nullable(),
    talkTimeSeconds: z.number().nullable(),
    outcome: nullableText,
    createdAt: when,
  })
  .meta({ id: "VoiceCall" });

export const voiceCallPage = z.object({ items: z.array(voiceCall), total: id, page: id, pageSize: id });

export const epaResults = z
  .object({
    state: z.string(),
    completionReason: nullableText,
    totalQuestions: id,
    questionsAnswered: id,
    calculatedScore: z.number().nullable(),
    responses: z.array(
      z.object({ questionIndex: id, question: z.string(), answer: nullableText, score: z.number().nullable() }),
    ),
  })
  .meta({ id: "EpaResults" });

export const voiceCallDetail = z.looseObject({
  ...voiceCall.shape,
  sentiment: nullableText,
  transcript: z.array(z.object({ role: z.string(), text: z.string(), timestamp: z.string() })),
  epaResults: epaResults.optional(),
});

export const signedRecordingUrl = z.object({ recordingUrl: z.url(), expiresAt: when });

export const ticket = z
  .object({
    id,
    channel: z.enum(CHANNELS),
    status: z.enum(TICKET_STATUSES),
    subject: z.string(),
    phoneNumber: nullableText,
    repId: id.nullable(),
    createdAt: when,
    updatedAt: when,
  })
  .meta({ id: "Ticket" });

export const ticketMessage = z
  .object({
    id,
    senderType: z.enum(SENDER_TYPES),
    text: z.string(),
    offset: z.number().nullable().meta({ description: "ms from the start of the ticket's recording (= offsetMs)" }),
    offsetMs: z.number().nullable(),
    recordingId: nullableText,
    createdAt: when,
  })
  .meta({ id: "TicketMessage" });

export const ticketPage = z.object({ items: z.array(ticket), total: id, page: id, pageSize: id });
export const ticketDetail = z.object({ ...ticket.shape, messages: z.array(ticketMessage) });

export const rep = z
  .object({
    id,
    customerId: id,
    name: z.string(),
    email: nullableText,
    identity: z.string(),
    phoneNumbers: z.array(z.string()),
    active: z.boolean(),
    createdAt: when,
    updatedAt: when,
  })
  .meta({ id: "Rep" });

export const customer = z
  .looseObject({
    id,
    name: z.string(),
    openai: z.looseObject({ hasApiKey: z.boolean() }),
    twilio: z.looseObject({ accountSid: z.string() }).nullable(),
    retentionDays: id.nullable(),
    createdAt: when,
    updatedAt: when,
  })
  .meta({ id: "Customer", description: "A tenant: each carrier's account (or null), never a secret." });

export const me = z.object({ rep, scopes: z.array(z.string()), customer });

export const phoneNumberRow = z
  .object({ id, customerId: id, number: z.string(), repId: id.nullable(), assistantId: id.nullable(), createdAt: when })
  .meta({ id: "PhoneNumber" });

export const assistant = z
  .looseObject({ id, customerId: id, name: z.string(), instructions: z.string(), voice: nullableText, createdAt: when })
  .meta({ id: "Assistant" });

export const tool = z
  .looseObject({ id, assistantId: id, name: z.string(), description: z.string(), url: z.string(), method: z.string() })
  .meta({ id: "AssistantTool" });

export const progress = z.looseObject({ total: id });
export const campaign = z
  .looseObject({ id, customerId: id, name: z.string(), status: z.string(), assistantId: id.nullable() })
  .meta({ id: "Campaign" });
export const campaignWithProgress = z.looseObject({ ...campaign.shape, progress });

export const contact = z
  .looseObject({ id, number: z.string(), state: z.string(), attempts: id, lastCallId: nullableText })
  .meta({ id: "CampaignContact" });

export const contactUpload = z.object({
  added: id,
  duplicates: z.array(z.looseObject({ row: id, number: z.string(), reason: z.string() })),
  errors: z.array(z.looseObject({ row: id })),
  progress,
});

export const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
export const limitPage = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), limit: id, offset: id });

export const conversation = z.object({
  id: z.string(),
  channel: z.literal("voice"),
  status: z.enum(["active", "completed", "failed"]),
  state: z.enum(CALL_STATES),
  direction: z.enum(["Inbound", "Outbound"]),
  campaignId: id.nullable(),
  startedAt: nullableText,
  endedAt: nullableText,
  durationSeconds: z.number().nullable(),
  sentiment: nullableText,
  createdAt: when,
});
export const conversationPage = z.object({ conversations: z.array(conversation), total: id, limit: id, offset: id });
export const conversationMessages = z.array(
  z.object({
    id,
    role: z.enum(["user", "assistant"]),
    senderType: z.string(),
    content: z.string(),
    timestamp: z.string(),
    offsetMs: z.number().nullable(),
  }),
);

export const voiceRecording = z.object({
  recording: z.object({
    id: z.string(),
    urls: z.array(z.url()),
    expires_at: when,
    duration_seconds: z.number(),
    available: z.literal(true),
    started_at: nullableText,
    ended_at: nullableText,
  }),
});

export const metrics = z.object({ metrics: z.looseObject({ total_calls: z.number() }) });
export const timeline = z.object({ bucket: z.enum(["day", "hour"]), timeline: z.array(z.looseObject({})) });

export const voiceToken = z.object({
  token: z.string(),
  region: z.string(),
  edge: z.string(),
  identity: z.string(),
  expiresAt: when,
});
export const initiatedCall = z.object({
  callSid: z.string(),
  callId: z.string(),
  status: z.string(),
  state: z.enum(CALL_STATES),
  ticketId: id.nullable(),
});
export const callStatus = z.looseObject({ callSid: z.string(), status: z.string(), callId: z.string() });

export const phoneCodeSent = z.object({ sent: z.literal(true), expiresAt: when });
export const phoneToken = z.object({ token: z.string(), expiresAt: when });

export const recording = z
  .looseObject({ recordingId: z.string(), ticketID: id.nullable(), version: id, durationMs: z.number() })
  .meta({ id: "Recording" });
export const transcriptionText = z.object({ text: z.string() });

export const twiml = z.string().meta({ description: "TwiML (`<Response>…</Response>`)" });
export const sdpAnswer = z.string().meta({ description: "The SDP answer (application/sdp)" });
export const wav = z.string().meta({ format: "binary", description: "WAV audio; Range requests give 206" });
export const webhookAck = z.looseObject({}).meta({ description: "What the webhook did (for logs); Twilio ignores it" });
export const healthReport = z.looseObject({ ok: z.boolean() });
export const deletedCustomer = z.object({ id, deleted: z.literal(true), purge: z.literal("queued") });
export const ok = z.object({ ok: z.literal(true) });

export const ringCentralSubscription = z
  .object({
    subscriptionId: z.string(),
    status: z.enum(["Active", "Blacklisted"]),
    expiresAt: when,
    eventFilter: z.string(),
    address: z.url(),
    action: z.enum(["created", "renewed"]),
  })
  .meta({ id: "RingCentralSubscription" });
