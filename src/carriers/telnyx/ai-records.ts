import { getAssistantForNumber } from "../../db/assistants";
import { isEnded, updateCallStmt, type CallPatch, type CallRow } from "../../db/calls";
import { enqueueSentiment } from "../../db/jobs";
import { insertMessageStmt, type SenderType } from "../../db/tickets";
import { insertToolCallStmt } from "../../db/tool-calls";
import { insertSegmentStmt } from "../../db/transcripts";
import type { Env } from "../../env";
import { normalizePhone } from "../../lib/phone";
import type { TelnyxAccount } from "./account";
import type { AiEnded, AiToolCall, AiTranscript } from "./ai-events";
import type { Handled } from "./call-events";
import { callRefStmts, createTelnyxCall, findTelnyxCall } from "./call-record";
import type { TelnyxEventOf } from "./events";
import { writeOnce } from "./webhook";

/**
 * The conversational-AI events (`ai.assistant.*`, shapes assumed: docs/telnyx.md, "AI assistant events") write
 * what a live call of our own engine writes: transcript lines (call segments and the ticket's messages), tool-call
 * rows, and the call's end with its sentiment queued. The call is found by any id it was seen with; a call first
 * heard of here (Telnyx's own assistant took it) gets its record now.
 */
type AiPayload = AiTranscript | AiToolCall | AiEnded;

async function callOf(env: Env, account: TelnyxAccount, p: AiPayload, occurredAt: string): Promise<CallRow> {
  const ids = {
    callControlId: p.callControlId,
    callLegId: p.callLegId,
    callSessionId: p.callSessionId,
    conversationId: p.conversationId,
  };
  const known = await findTelnyxCall(env.DB, account.customerId, ids);
  if (known) {
    // Remember the ids this event adds (the conversation id, typically) for the events after it.
    await env.DB.batch(callRefStmts(env.DB, account.customerId, known.id, ids));
    return known;
  }
  const to = p.to ?? "";
  const assistant = to ? await getAssistantForNumber(env.DB, account.customerId, normalizePhone(to) ?? to) : null;
  return createTelnyxCall(env.DB, {
    customerId: account.customerId,
    ids,
    direction: "Inbound",
    from: p.from ?? "",
    to,
    state: "InProgress",
    mode: "assistant",
    assistantId: assistant?.id ?? null,
    startTime: occurredAt,
  });
}

/** Milliseconds into the call (its start, else its record's creation) at which a line was said. */
const offsetMs = (call: CallRow, at: string) =>
  Math.max(0, Date.parse(at) - Date.parse(call.start_time ?? call.created_at)) || 0;

export async function onAiUtterance(
  env: Env,
  account: TelnyxAccount,
  e: TelnyxEventOf<"ai.assistant.transcript" | "ai.assistant.response">,
): Promise<Handled> {
  const p = e.payload;
  const text = p.text.trim();
  if (p.speaker === "other" || !p.final || !text) return { ignored: "not a final line of the caller or assistant" };
  const call = await callOf(env, account, p, e.occurredAt);
  const senderType: SenderType = p.speaker === "user" ? "EndUser" : "AI";
  const offset = offsetMs(call, p.sentAt ?? e.occurredAt);
  const customerId = account.customerId;
  const stmts = [insertSegmentStmt(env.DB, { callId: call.id, customerId, senderType, text, offsetMs: offset })];
  if (call.ticket_id !== null)
    stmts.push(
      insertMessageStmt(env.DB, {
        ticketId: call.ticket_id,
        customerId,
        senderType,
        text,
        offsetMs: offset,
        recordingId: null,
        callId: call.id,
      }),
    );
  const fresh = await writeOnce(env.DB, customerId, e.id, stmts);
  return fresh ? { handled: "transcript line" } : { ignored: "already handled" };
}

/**
 * One row per tool call. An outcome Telnyx does not report counts as a success: the assistant made the call and
 * nothing says it failed (docs/telnyx.md, "AI assistant events").
 */
export async function onAiToolCall(
  env: Env,
  account: TelnyxAccount,
  e: TelnyxEventOf<"ai.assistant.tool_call">,
): Promise<Handled> {
  const p = e.payload;
  const call = await callOf(env, account, p, e.occurredAt);
  const success = p.success ?? true;
  const stmts = p.calls.map((t) =>
    insertToolCallStmt(env.DB, {
      callId: call.id,
      customerId: account.customerId,
      name: t.name.slice(0, 200),
      success,
      arguments: t.arguments,
      error: success ? null : `Telnyx reported ${p.status ?? "a failure"}`,
    }),
  );
  const fresh = await writeOnce(env.DB, account.customerId, e.id, stmts);
  return fresh ? { handled: `${stmts.length} tool call(s)` } : { ignored: "already handled" };
}

/** The assistant's conversation ended: so did the call (unless its hangup already said how); sentiment follows. */
export async function onAiEnded(
  env: Env,
  account: TelnyxAccount,
  e: TelnyxEventOf<"ai.assistant.ended" | "call.conversation.ended">,
): Promise<Handled> {
  const p = e.payload;
  const call = await callOf(env, account, p, e.occurredAt);
  const patch: CallPatch = {};
  if (!isEnded(call.state)) {
    patch.state = "Completed";
    patch.end_time = e.occurredAt;
    const began = call.start_time ?? call.created_at;
    patch.duration_seconds =
      p.durationSec !== null
        ? Math.round(p.durationSec)
        : Math.max(0, Math.round((Date.parse(e.occurredAt) - Date.parse(began)) / 1000));
    if (!call.start_time) patch.start_time = began;
  }
  const stmts = Object.keys(patch).length ? [updateCallStmt(env.DB, account.customerId, call.id, patch)] : [];
  const fresh = await writeOnce(env.DB, account.customerId, e.id, stmts);
  if (!fresh) return { ignored: "already handled" };
  await enqueueSentiment(env, account.customerId, call.id);
  return { handled: "conversation ended" };
}
