import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../auth/context";
import { getCustomerByAccountSid } from "../../db/customers";
import { forbidden } from "../../lib/errors";
import { publicRequestUrl } from "../../lib/public-url";
import { twilioAuthToken } from "../../lib/tenant";
import { validTwilioSignature } from "./signature";

/**
 * Guards an anonymous Twilio webhook: form body, a known AccountSid, and an X-Twilio-Signature made with that
 * tenant's auth token over the public URL. Anything else is 403 before a single row is written.
 */
export const twilioWebhook = createMiddleware<AppEnv>(async (c, next) => {
  const signature = c.req.header("X-Twilio-Signature");
  if (!signature) throw forbidden("Missing X-Twilio-Signature");
  // decoded from bytes: workerd warns when .text() reads a form-encoded body
  const params = new URLSearchParams(new TextDecoder().decode(await c.req.arrayBuffer()));
  const accountSid = params.get("AccountSid");
  const customer = accountSid ? await getCustomerByAccountSid(c.env.DB, accountSid) : null;
  if (!customer) throw forbidden("Unknown Twilio account");
  const url = publicRequestUrl(c.env, c.req.raw);
  if (!(await validTwilioSignature(await twilioAuthToken(c.env, customer), signature, url, params))) {
    throw forbidden("Invalid Twilio signature");
  }
  c.set("twilio", { customer, params });
  await next();
});
