import { z } from "zod";

/**
 * Payloads of the conversational-AI events (`ai.assistant.*`). Telnyx publishes no schema for these names, so
 * the shapes are assumptions (docs/telnyx.md, "AI assistant events"): the call identifiers of Telnyx's
 * documented `call.conversation.*` events, message fields named as in its Conversations API (`role`, `text`,
 * `tool_calls[].function.{name, arguments}`), and the usual aliases accepted. Everything is read leniently:
 * unknown fields are ignored and unknown values kept; only what a record cannot be written without is required.
 */
const str = z.string();
const isoDate = z.iso.datetime({ offset: true });

/**
 * No id is required by itself (a null one is as good as none): the call must be named by one of them
 * (`requireCallId`). `connection_id` only says which tenant the event is for (webhook.ts, else a number the tenant
 * owns): nothing is written from it, and whatever needs the connection takes it from the tenant's account.
 */
const ids = {
  call_control_id: str.min(1).nullish(),
  call_leg_id: str.min(1).nullish(),
  call_session_id: str.min(1).nullish(),
  conversation_id: str.min(1).nullish(),
  assistant_id: str.optional(),
  connection_id: str.nullish(),
  from: str.optional(),
  to: str.optional(),
  client_state: str.nullish(),
};
type Ids = z.infer<z.ZodObject<typeof ids>>;

/** The call the event belongs to must be named somehow, or nothing can be written. */
function requireCallId(p: Ids, ctx: z.RefinementCtx): void {
  if (p.call_control_id || p.call_leg_id || p.call_session_id || p.conversation_id) return;
  ctx.addIssue({
    code: "custom",
    path: ["call_control_id"],
    message: "one of call_control_id, call_leg_id, call_session_id, conversation_id is required",
  });
}

const callIds = (p: Ids) => ({
  callControlId: p.call_control_id ?? null,
  callLegId: p.call_leg_id ?? null,
  callSessionId: p.call_session_id ?? null,
  conversationId: p.conversation_id ?? null,
  assistantId: p.assistant_id ?? null,
  from: p.from ?? null,
  to: p.to ?? null,
});

export type Speaker = "user" | "assistant" | "other";
const USER_ROLES = new Set(["user", "caller", "customer", "end_user", "human"]);
const ASSISTANT_ROLES = new Set(["assistant", "agent", "bot", "ai"]);
const speakerOf = (role: string | undefined, fallback: Speaker): Speaker => {
  if (role === undefined) return fallback;
  const r = role.toLowerCase();
  return USER_ROLES.has(r) ? "user" : ASSISTANT_ROLES.has(r) ? "assistant" : "other";
};

const utterance = z.object({
  ...ids,
  role: str.optional(),
  text: str.optional(),
  transcript: str.optional(),
  content: str.optional(),
  is_final: z.boolean().optional(),
  sent_at: isoDate.optional(),
});

function utteranceOf(fallback: Speaker) {
  return utterance.superRefine(requireCallId).transform((p, ctx) => {
    const text = p.text ?? p.transcript ?? p.content;
    if (text === undefined) {
      ctx.addIssue({ code: "custom", path: ["text"], message: "text (or transcript, or content) is required" });
      return z.NEVER;
    }
    return {
      ...callIds(p),
      speaker: speakerOf(p.role, fallback),
      text,
      final: p.is_final ?? true,
      sentAt: p.sent_at ?? null,
    };
  });
}

/** One line of what was said; `speaker` "other" (a system or tool message) is for the caller to skip. */
export const aiTranscriptPayload = utteranceOf("user");
/** What the assistant answered (a transcript line whose speaker defaults to the assistant). */
export const aiResponsePayload = utteranceOf("assistant");

const SUCCEEDED = new Set(["success", "succeeded", "ok", "completed", "complete"]);
const FAILED = new Set(["error", "failed", "failure", "timeout", "timed_out", "cancelled", "canceled"]);

const fn = z.object({ name: str.min(1), arguments: z.unknown().optional() });
const toolCallItem = z.object({ id: str.optional(), type: str.optional(), function: fn });
const argsText = (a: unknown): string | null =>
  a === undefined || a === null ? null : typeof a === "string" ? a : JSON.stringify(a);

export const aiToolCallPayload = z
  .object({
    ...ids,
    tool_call: toolCallItem.optional(),
    tool_calls: z.array(toolCallItem).optional(),
    tool_call_id: str.optional(),
    name: str.min(1).optional(),
    tool_name: str.min(1).optional(),
    arguments: z.unknown().optional(),
    status: str.optional(),
    success: z.boolean().optional(),
    error: z.unknown().optional(),
  })
  .superRefine(requireCallId)
  .transform((p, ctx) => {
    const items = p.tool_calls ?? (p.tool_call ? [p.tool_call] : []);
    const flatName = p.name ?? p.tool_name;
    const calls = items.map((t) => ({
      id: t.id ?? null,
      name: t.function.name,
      arguments: argsText(t.function.arguments),
    }));
    if (!calls.length && flatName)
      calls.push({ id: p.tool_call_id ?? null, name: flatName, arguments: argsText(p.arguments) });
    if (!calls.length) {
      ctx.addIssue({
        code: "custom",
        path: ["tool_call"],
        message: "a tool call (tool_call, tool_calls or name) is required",
      });
      return z.NEVER;
    }
    const status = p.status?.toLowerCase();
    // Unknown until Telnyx says: an explicit flag wins, then the status word, then an error object.
    const success =
      p.success ??
      (status && SUCCEEDED.has(status) ? true : status && FAILED.has(status) ? false : null) ??
      (p.error !== undefined && p.error !== null ? false : null);
    return { ...callIds(p), calls, success, status: p.status ?? null };
  });

/** The assistant's conversation ended; the same shape as Telnyx's documented `call.conversation.ended`. */
export const aiEndedPayload = z
  .object({ ...ids, reason: str.nullish(), duration_sec: z.number().nonnegative().optional() })
  .superRefine(requireCallId)
  .transform((p) => ({ ...callIds(p), reason: p.reason ?? null, durationSec: p.duration_sec ?? null }));

export type AiTranscript = z.infer<typeof aiTranscriptPayload>;
export type AiToolCall = z.infer<typeof aiToolCallPayload>;
export type AiEnded = z.infer<typeof aiEndedPayload>;
