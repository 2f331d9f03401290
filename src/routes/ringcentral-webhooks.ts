import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { loadRingCentralAccount } from "../carriers/ringcentral/account";
import { handleRingCentralWebhook } from "../carriers/ringcentral/webhook";
import { getCustomer } from "../db/customers";
import { ApiError } from "../lib/errors";
import { intId } from "../lib/schemas";
import { validate } from "../lib/validate";

/**
 * `/api/webhooks/ringcentral`: where RingCentral delivers a tenant's telephony-session notifications (the address
 * its subscription names, docs/ringcentral.md). Anonymous; the handler checks the subscription's Verification-Token.
 */
export const ringcentralWebhookRoutes = new Hono<AppEnv>().post(
  "/:customerId",
  validate("param", z.object({ customerId: intId })),
  async (c) => {
    const { customerId } = c.req.valid("param");
    // A deleted customer is gone at once, though its rows wait for the purge (src/lifecycle/purge.ts).
    const account = (await getCustomer(c.env.DB, customerId)) ? await loadRingCentralAccount(c.env, customerId) : null;
    if (!account) throw new ApiError(404, "No RingCentral account for this customer");
    return handleRingCentralWebhook(c.env, c.req.raw, account, { waitUntil: (p) => c.executionCtx.waitUntil(p) });
  },
);
