import { renewDueSubscriptions } from "../carriers/ringcentral/subscription";
import type { Env } from "../env";
import { applyRetention, purgeExpired, retryFailedJobs } from "./retention";
import { sweepPending } from "./sweep";

/** The crons in wrangler.toml. */
export const SWEEP_CRON = "*/5 * * * *";
export const DAILY_CRON = "17 3 * * *";
/** Hourly: RingCentral subscriptions expiring within two days are renewed (docs/ringcentral.md, "Subscribing"). */
export const RINGCENTRAL_CRON = "47 * * * *";

const daily = async (env: Env, now: number) => ({
  ...(await applyRetention(env, now)),
  ...(await purgeExpired(env, now)),
  ...(await retryFailedJobs(env, now)),
});

/**
 * The Worker's `scheduled` handler: the 5-minute sweep, the daily retention and purges, RingCentral renewals. Any
 * other cron (`/__scheduled` without `?cron=` under `wrangler dev --test-scheduled`, a trigger added in the dashboard)
 * runs all of them: every job is safe to run at any time, and none is then silently skipped.
 */
export async function onSchedule(cron: string, env: Env, now = Date.now()): Promise<Record<string, number>> {
  const report =
    cron === DAILY_CRON
      ? await daily(env, now)
      : cron === RINGCENTRAL_CRON
        ? { ...(await renewDueSubscriptions(env, now)) }
        : cron === SWEEP_CRON
          ? await sweepPending(env, now)
          : {
              ...(await sweepPending(env, now)),
              ...(await daily(env, now)),
              ...(await renewDueSubscriptions(env, now)),
            };
  console.log(JSON.stringify({ level: "info", msg: "scheduled run", cron, ...report }));
  return report;
}
