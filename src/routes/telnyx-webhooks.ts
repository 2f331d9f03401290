import { Hono, type Context } from "hono";
import type { AppEnv } from "../auth/context";
import { onAiEnded, onAiToolCall, onAiUtterance } from "../carriers/telnyx/ai-records";
import {
  onCallAnswered,
  onCallHangup,
  onCallInitiated,
  onSpeakEnded,
  type Handled,
} from "../carriers/telnyx/call-events";
import { onRecordingSaved } from "../carriers/telnyx/recording-event";
import { verifiedTelnyxDelivery } from "../carriers/telnyx/webhook";
import { publicOrigin } from "../lib/public-url";

/**
 * One delivery: verified (signature with the tenant's key, docs/telnyx.md) before anything is read from D1 for
 * it or written, then handled by type. A type we do not handle is answered 200 and ignored; so is a redelivery.
 */
async function deliver(c: Context<AppEnv>): Promise<Response> {
  const { account, event: e } = await verifiedTelnyxDelivery(c.env.DB, c.req.raw);
  let result: Handled;
  switch (e.type) {
    case "call.initiated":
      result = await onCallInitiated(c.env, c.executionCtx, publicOrigin(c.env, c.req.raw), account, e);
      break;
    case "call.answered":
      result = await onCallAnswered(c.env, account, e);
      break;
    case "call.hangup":
      result = await onCallHangup(c.env, account, e);
      break;
    case "call.speak.ended":
      result = await onSpeakEnded(c.env, account, e);
      break;
    case "call.recording.saved":
      result = await onRecordingSaved(c.env, account, e);
      break;
    case "ai.assistant.transcript":
    case "ai.assistant.response":
      result = await onAiUtterance(c.env, account, e);
      break;
    case "ai.assistant.tool_call":
      result = await onAiToolCall(c.env, account, e);
      break;
    case "ai.assistant.ended":
    case "call.conversation.ended":
      result = await onAiEnded(c.env, account, e);
      break;
    case "unknown":
      result = { ignored: `event type ${e.eventType} is not one we act on` };
      break;
  }
  return c.json({ eventId: e.id, ...result });
}

/**
 * `/api/webhooks/telnyx`: Telnyx's anonymous, signed deliveries — the Call Control application's webhooks at
 * `/voice`, its AI assistants' at `/voice/conversational-ai` (both take every event type: where Telnyx sends
 * which is a setting of the tenant's, docs/telnyx.md).
 */
export const telnyxWebhookRoutes = new Hono<AppEnv>().post("/voice", deliver).post("/voice/conversational-ai", deliver);
