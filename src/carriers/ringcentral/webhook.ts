/**
 * `POST /api/webhooks/ringcentral/{customerId}` (docs/ringcentral.md, "The webhook"): the validation handshake,
 * then verified telephony-session notifications, applied in order by the session's object; the action it decides
 * is carried out before the answer when it is done within ACTION_WAIT_MS, else finished after it (RingCentral wants
 * an answer within a few seconds, and stops delivering to slow webhooks).
 */
import { decryptSecret } from "../../auth/crypto";
import { firstAssistantNumber } from "../../db/phone-numbers";
import { getRingCentralSubscription } from "../../db/ringcentral-subscriptions";
import type { Env } from "../../env";
import { readTextLimited } from "../../lib/body-limit";
import { ApiError } from "../../lib/errors";
import { timingSafeEqual } from "../../lib/hash";
import { invalid, parseOr400 } from "../../lib/validate";
import type { RingCentralAccount } from "./account";
import { executeAction, type ActionResult } from "./actions";
import { logRingCentral } from "./errors";
import { envelopeSchema, sessionBodySchema, TELEPHONY_EVENT, type TelephonyNotification } from "./notification";
import { RingCentralRest } from "./rest";
import type { RetryOptions } from "./retry";
import { ringcentralSession } from "./session-object";

/** Notifications are a few KB; RingCentral's handshake answer must stay under 1024 bytes, headers included. */
export const NOTIFICATION_LIMIT = 64 * 1024;
const VALIDATION_TOKEN = /^[\x21-\x7e]{1,256}$/;
/**
 * How long the answer waits for the action (answer or forward) to be done: so that when RingCentral hears our 200,
 * call control was already asked. RingCentral wants the answer within ~3 s; a slower action finishes after it.
 */
export const ACTION_WAIT_MS = 2_500;

export interface WebhookDeps {
  /** Keeps the action running after the answer (the execution context's waitUntil). */
  waitUntil(work: Promise<ActionResult>): void;
  retry?: RetryOptions;
  /** How long to wait for the action before answering; ACTION_WAIT_MS unless told (tests). */
  actionWaitMs?: number;
}

/** Waits for `work` at most `ms`: true when it was done in time. `work` never rejects (executeAction logs). */
async function doneWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** The handshake RingCentral makes while a subscription is created: echo its token, 200, a tiny JSON body. */
function handshake(token: string): Response {
  if (!VALIDATION_TOKEN.test(token)) throw new ApiError(400, "Validation-Token must be 1–256 visible characters");
  return new Response("{}", {
    status: 200,
    headers: { "Validation-Token": token, "Content-Type": "application/json" },
  });
}

/** The Verification-Token we chose when subscribing, compared in constant time; anything else is 403. */
async function verify(env: Env, request: Request, customerId: number): Promise<void> {
  const given = request.headers.get("Verification-Token");
  const sub = await getRingCentralSubscription(env.DB, customerId);
  const expected = sub ? await decryptSecret(env, sub.verification_token_enc) : null;
  if (given === null || expected === null || !(await timingSafeEqual(given, expected)))
    throw new ApiError(403, "Missing or wrong Verification-Token");
}

async function notificationOf(request: Request): Promise<TelephonyNotification | null> {
  const text = await readTextLimited(request, NOTIFICATION_LIMIT, "Notification");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid("json", [{ path: "(root)", message: "the notification is not JSON" }]);
  }
  const envelope = parseOr400(envelopeSchema, json, "notification");
  if (!TELEPHONY_EVENT.test(envelope.event)) return null;
  return {
    uuid: envelope.uuid ?? null,
    subscriptionId: envelope.subscriptionId ?? null,
    ownerId: envelope.ownerId ?? null,
    body: parseOr400(sessionBodySchema, envelope.body, "notification body"),
  };
}

export async function handleRingCentralWebhook(
  env: Env,
  request: Request,
  account: RingCentralAccount,
  deps: WebhookDeps,
): Promise<Response> {
  const validation = request.headers.get("Validation-Token");
  if (validation !== null) return handshake(validation);
  const { customerId } = account;
  await verify(env, request, customerId);
  const n = await notificationOf(request);
  if (!n) return Response.json({ ok: true, ignored: "not a telephony-session event" });
  // SPEC.md's aiLine is optional: without one, calls go to the tenant's first number an assistant answers.
  const aiLine =
    account.aiLine ?? (account.mode === "forward-to-ai" ? await firstAssistantNumber(env.DB, customerId) : null);
  const applied = await ringcentralSession(env, customerId, n.body.telephonySessionId).apply(customerId, n, {
    mode: account.mode,
    aiLine,
  });
  logRingCentral("info", "notification", {
    customerId,
    telephonySessionId: n.body.telephonySessionId,
    sequence: n.body.sequence,
    outcome: applied.outcome,
    action: applied.action.kind,
    ...(applied.action.kind === "none" ? { why: applied.action.why } : {}),
  });
  if (applied.action.kind !== "none") {
    const work = executeAction(new RingCentralRest(env, account, deps.retry), applied.action, { customerId });
    // Kept alive past the answer in any case; awaited (bounded) so the answer usually follows the call control.
    deps.waitUntil(work);
    if (!(await doneWithin(work, deps.actionWaitMs ?? ACTION_WAIT_MS)))
      logRingCentral("warn", "action still running when answering the webhook; it finishes after", {
        customerId,
        telephonySessionId: n.body.telephonySessionId,
        action: applied.action.kind,
      });
  }
  return Response.json({ ok: true, outcome: applied.outcome, action: applied.action.kind, callId: applied.callId });
}
