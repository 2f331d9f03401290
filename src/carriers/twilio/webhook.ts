import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../auth/context";
import { getCustomer, type CustomerRow } from "../../db/customers";
import { readBytesLimited } from "../../lib/body-limit";
import { forbidden } from "../../lib/errors";
import { publicRequestUrl } from "../../lib/public-url";
import { twilioAccountBySid, twilioAuthToken, type TwilioAccount } from "./account";
import { validTwilioSignature } from "./signature";

/** Twilio's webhook forms are a few KB; anything larger is refused (413) before it is read, let alone verified. */
export const MAX_WEBHOOK_BYTES = 64 * 1024;

/** One answer for an unknown account and a bad signature, so a caller cannot learn which AccountSids are ours. */
const REFUSED = "Invalid Twilio signature";

export interface TwilioWebhook {
  customer: CustomerRow;
  account: TwilioAccount;
  /** The signed form fields, exactly as Twilio sent them. */
  params: URLSearchParams;
}

/**
 * Guards an anonymous Twilio webhook: form body, a known AccountSid, and an X-Twilio-Signature made with that
 * tenant's auth token over the public URL. Anything else is 403 before a single row is written.
 */
export const twilioWebhook = createMiddleware<AppEnv & { Variables: { twilio: TwilioWebhook } }>(async (c, next) => {
  const signature = c.req.header("X-Twilio-Signature");
  if (!signature) throw forbidden("Missing X-Twilio-Signature");
  // decoded from bytes: workerd warns when .text() reads a form-encoded body
  const body = await readBytesLimited(c.req.raw, MAX_WEBHOOK_BYTES, "The webhook body");
  const params = new URLSearchParams(new TextDecoder().decode(body));
  const accountSid = params.get("AccountSid");
  const account = accountSid ? await twilioAccountBySid(c.env.DB, accountSid) : null;
  const customer = account ? await getCustomer(c.env.DB, account.customerId) : null;
  if (!account || !customer) throw forbidden(REFUSED);
  const url = publicRequestUrl(c.env, c.req.raw);
  if (!(await validTwilioSignature(await twilioAuthToken(c.env, account), signature, url, params))) {
    throw forbidden(REFUSED);
  }
  c.set("twilio", { customer, account, params });
  await next();
});
