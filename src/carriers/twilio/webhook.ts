import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../auth/context";
import { getCall, getCallBySid } from "../../db/calls";
import { findCarrierAccountsByRef } from "../../db/carrier-accounts";
import { getCustomer, type CustomerRow } from "../../db/customers";
import { getPhoneNumber } from "../../db/phone-numbers";
import { getRep } from "../../db/reps";
import { readBytesLimited } from "../../lib/body-limit";
import { forbidden } from "../../lib/errors";
import { normalizePhone } from "../../lib/phone";
import { publicRequestUrl } from "../../lib/public-url";
import { twilioAccountOf, twilioAuthToken, type TwilioAccount } from "./account";
import { validTwilioSignature } from "./signature";

/** Twilio's webhook forms are a few KB; anything larger is refused (413) before it is read, let alone verified. */
export const MAX_WEBHOOK_BYTES = 64 * 1024;

/**
 * Customers one Twilio account may serve (migrations/0013_shared_twilio_accounts.sql): each one sharing it costs
 * a decryption and an HMAC per anonymous webhook, so the work a forged request can cause stays bounded.
 */
export const MAX_CUSTOMERS_PER_TWILIO_ACCOUNT = 20;

/** One answer for an unknown account and a bad signature, so a caller cannot learn which AccountSids are ours. */
const REFUSED = "Invalid Twilio signature";

export interface TwilioWebhook {
  customer: CustomerRow;
  account: TwilioAccount;
  /** The signed form fields, exactly as Twilio sent them. */
  params: URLSearchParams;
}

type WebhookContext = Context<AppEnv & { Variables: { twilio: TwilioWebhook } }>;

/**
 * Of several customers on one Twilio account whose auth token signed the webhook, the one that owns what it names:
 * the placed call (`call_id`), the call (CallSid, ParentCallSid), the rep (RepID, or the path's repID), or a number
 * (To, From, Called, Caller, FromNumber). The first of those that exactly one of them owns decides; none: no one.
 */
async function ownerOfNamed(c: WebhookContext, accounts: TwilioAccount[], params: URLSearchParams) {
  const db = c.env.DB;
  const clues: ((customerId: number) => Promise<unknown>)[] = [];
  const callId = c.req.query("call_id");
  if (callId) clues.push((id) => getCall(db, id, callId));
  for (const sid of [params.get("CallSid"), params.get("ParentCallSid")])
    if (sid) clues.push((id) => getCallBySid(db, id, "twilio", sid));
  const repId = Number(params.get("RepID") ?? c.req.param("repID"));
  if (Number.isSafeInteger(repId) && repId > 0) clues.push((id) => getRep(db, id, repId));
  for (const field of ["To", "From", "Called", "Caller", "FromNumber"]) {
    const number = normalizePhone(params.get(field) ?? "");
    if (number) clues.push((id) => getPhoneNumber(db, id, number));
  }
  for (const owns of clues) {
    const owners: TwilioAccount[] = [];
    for (const a of accounts) if (await owns(a.customerId)) owners.push(a);
    if (owners.length === 1) return owners[0];
  }
  return undefined;
}

/**
 * Guards an anonymous Twilio webhook: form body, a known AccountSid, and an X-Twilio-Signature made with that
 * tenant's auth token over the public URL. Anything else is 403 before a single row is written. When several
 * customers share the account, the webhook is theirs whose auth token signed it, and if that is still more than
 * one, the one owning what the webhook names (ownerOfNamed); a webhook naming nothing only one of them owns is 403.
 */
export const twilioWebhook = createMiddleware<AppEnv & { Variables: { twilio: TwilioWebhook } }>(async (c, next) => {
  const signature = c.req.header("X-Twilio-Signature");
  if (!signature) throw forbidden("Missing X-Twilio-Signature");
  // decoded from bytes: workerd warns when .text() reads a form-encoded body
  const body = await readBytesLimited(c.req.raw, MAX_WEBHOOK_BYTES, "The webhook body");
  const params = new URLSearchParams(new TextDecoder().decode(body));
  const accountSid = params.get("AccountSid");
  const rows = accountSid
    ? await findCarrierAccountsByRef(c.env.DB, "twilio", accountSid, MAX_CUSTOMERS_PER_TWILIO_ACCOUNT)
    : [];
  const url = publicRequestUrl(c.env, c.req.raw);
  const signed: TwilioAccount[] = [];
  for (const row of rows) {
    const account = twilioAccountOf(row);
    if (await validTwilioSignature(await twilioAuthToken(c.env, account), signature, url, params)) signed.push(account);
  }
  const account = signed.length > 1 ? await ownerOfNamed(c, signed, params) : signed[0];
  const customer = account ? await getCustomer(c.env.DB, account.customerId) : null;
  if (!account || !customer) throw forbidden(REFUSED);
  c.set("twilio", { customer, account, params });
  await next();
});
