import type { Env } from "../env";

/** A campaign's object (src/outbound/campaign-object.ts), named by tenant and campaign. */
export const campaignObject = (env: Env, customerId: number, campaignId: number) =>
  env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(`campaign:${customerId}:${campaignId}`));

/**
 * Tells a campaign's object that one of its calls ended, so it settles the contact and places the next call now
 * rather than at its next reconciliation. Best effort: the object reconciles from D1 on its alarm anyway.
 */
export function notifyCampaign(env: Env, ctx: ExecutionContext, customerId: number, campaignId: number): void {
  ctx.waitUntil(
    campaignObject(env, customerId, campaignId)
      .kick({ customerId, campaignId })
      .catch(() => undefined),
  );
}
