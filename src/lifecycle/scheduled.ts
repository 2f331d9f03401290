import { renewDueSubscriptions } from "../carriers/ringcentral/subscription";
import type { Env } from "../env";
import { applyRetention, purgeExpired, retryFailedJobs } from "./retention";
import { sweepPending } from "./sweep";

/** The crons in wrangler.toml. */
export const SWEEP_CRON = "*/5 * * * *";
export const DAILY_CRON = "17 3 * * *";
/** Hourly: RingCentral subscriptions expiring within two days are renewed (docs/ringcentral.md, "Subscribing"). */
export const RINGCENTRAL_CRON = "47 * * * *";

/** The Worker's `scheduled` handler: the 5-minute sweep, the daily retention and purges, RingCentral renewals. */
export async function onSchedule(cron: string, env: Env, now = Date.now()): Promise<Record<string, number>> {
  const report =
    cron === DAILY_CRON
      ? { ...(await applyRetention(env, now)), ...(await purgeExpired(env, now)), ...(await retryFailedJobs(env, now)) }
      : cron === RINGCENTRAL_CRON
        ? { ...(await renewDueSubscriptions(env, now)) }
        : await sweepPending(env, now);
  console.log(JSON.stringify({ level: "info", msg: "scheduled run", cron, ...report }));
  return report;
}
