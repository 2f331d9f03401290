import { Hono } from "hono";
import type { AppEnv } from "../auth/context";
import { loadRingCentralAccount } from "../carriers/ringcentral/account";
import { ensureSubscription } from "../carriers/ringcentral/subscription";
import { loadCustomer } from "../db/customers";
import { ApiError } from "../lib/errors";
import { publicOrigin } from "../lib/public-url";
import { idParam } from "../lib/schemas";
import { validate } from "../lib/validate";

/**
 * `/api/admin/customers/{id}/ringcentral`: the tenant's WebHook subscription to its telephony sessions
 * (docs/ringcentral.md, "Subscribing"). Created, or renewed when a live one already points at this Worker; the
 * answer names the subscription and its expiry, never the verification token. RingCentral's refusals come back
 * through `upstreamToApi` (a failed handshake, SUB-525, is a 400 naming it).
 */
export const adminRingCentralRoutes = new Hono<AppEnv>().post(
  "/subscription",
  validate("param", idParam),
  async (c) => {
    const { id } = c.req.valid("param");
    await loadCustomer(c.env.DB, id);
    const account = await loadRingCentralAccount(c.env, id);
    if (!account)
      throw new ApiError(409, "This customer has no RingCentral account: PATCH the customer with `ringcentral` first");
    const view = await ensureSubscription(c.env, account, publicOrigin(c.env, c.req.raw));
    return c.json(view, view.action === "created" ? 201 : 200);
  },
);
