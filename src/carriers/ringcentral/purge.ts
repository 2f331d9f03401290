/**
 * What a purged customer leaves at and for RingCentral (docs/ringcentral.md, "Deleting a customer"): the WebHook
 * subscription is cancelled, so RingCentral stops sending the tenant's calls here, and the token object forgets the
 * tenant's tokens. The subscription's row goes with the customer's other rows (src/lifecycle/purge.ts); each
 * session's object goes with its call (src/lifecycle/deletion.ts).
 */
import { getRingCentralSubscription } from "../../db/ringcentral-subscriptions";
import type { Env } from "../../env";
import { UpstreamError } from "../../lib/upstream";
import { loadRingCentralAccount } from "./account";
import { failureFields, logRingCentral } from "./errors";
import { RingCentralRest } from "./rest";
import type { RetryOptions } from "./retry";
import { ringcentralAuth } from "./token-object";

export async function purgeRingCentral(env: Env, customerId: number, opts: RetryOptions = {}): Promise<void> {
  const row = await getRingCentralSubscription(env.DB, customerId);
  if (row?.subscription_id) {
    try {
      const account = await loadRingCentralAccount(env, customerId);
      if (account) await new RingCentralRest(env, account, opts).deleteSubscription(row.subscription_id);
    } catch (e) {
      // Not a reason to keep the customer's data (nor are unreadable credentials): the webhook answers 404 from
      // now on, and the subscription ends when it expires (a week at most) without renewal.
      if (!(e instanceof UpstreamError && e.status === 404))
        logRingCentral("warn", "could not cancel the subscription of a purged customer", {
          customerId,
          ...failureFields(e),
        });
    }
  }
  await ringcentralAuth(env, customerId).purge();
}
