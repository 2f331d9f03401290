import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { requireRep } from "../auth/middleware";
import type { CallRow } from "../db/calls";
import { listSegments, type TranscriptSegmentRow } from "../db/transcripts";
import { listCalls, offsetTimestamp } from "../db/voice-calls";
import { validate } from "../lib/validate";
import { callIdParam, loadCall } from "./call-params";

const listQuery = z.object({
  channel: z.enum(["voice"], { error: "only the voice channel has conversations here" }).default("voice"),
  status: z.enum(["active", "completed", "failed"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});

type ConversationStatus = "active" | "completed" | "failed";
const statusOf = (state: CallRow["state"]): ConversationStatus =>
  state === "Completed" ? "completed" : ["Queued", "Ringing", "InProgress"].includes(state) ? "active" : "failed";

/** A voice call seen as a conversation; its id is the voice-call id. */
const publicConversation = (c: CallRow) => ({
  id: c.id,
  channel: "voice" as const,
  status: statusOf(c.state),
  state: c.state,
  direction: c.direction,
  campaignId: c.campaign_id,
  startedAt: c.start_time,
  endedAt: c.end_time,
  durationSeconds: c.duration_seconds,
  sentiment: c.sentiment,
  createdAt: c.created_at,
});

/** The caller is the user; the AI or the rep is the assistant. */
const publicMessage = (s: TranscriptSegmentRow) => ({
  id: s.id,
  role: s.role === "customer" ? ("user" as const) : ("assistant" as const),
  senderType: s.sender_type,
  content: s.text,
  timestamp: offsetTimestamp(s.offset_ms),
  offsetMs: s.offset_ms,
});

export const conversationRoutes = new Hono<AppEnv>()
  // SPEC.md's call-data table asks for a rep here, no scope (unlike the voice-calls rows beside it).
  .use("*", requireRep)
  .get("/", validate("query", listQuery), async (c) => {
    const q = c.req.valid("query");
    const filter = { conversationStatus: q.status, from: null, toExclusive: null };
    const { items, total } = await listCalls(c.env.DB, c.get("rep").customerId, filter, q.limit, q.offset);
    return c.json({ conversations: items.map(publicConversation), total, limit: q.limit, offset: q.offset });
  })
  .get("/:id/messages", validate("param", callIdParam), async (c) => {
    const customerId = c.get("rep").customerId;
    const call = await loadCall(c.env, customerId, c.req.valid("param").id, "Conversation");
    const segments = await listSegments(c.env.DB, customerId, call.id);
    // Seed 003: "Response: Array of messages".
    return c.json(segments.map(publicMessage));
  });
