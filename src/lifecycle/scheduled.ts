import type { Env } from "../env";
import { applyRetention, purgeExpired, retryFailedJobs } from "./retention";
import { sweepPending } from "./sweep";

/** The crons in wrangler.toml. */
export const SWEEP_CRON = "*/5 * * * *";
export const DAILY_CRON = "17 3 * * *";

/** The Worker's `scheduled` handler: the 5-minute sweep, and the daily retention and purges. */
export async function onSchedule(cron: string, env: Env, now = Date.now()): Promise<Record<string, number>> {
  const report =
    cron === DAILY_CRON
      ? { ...(await applyRetention(env, now)), ...(await purgeExpired(env, now)), ...(await retryFailedJobs(env, now)) }
      : await sweepPending(env, now);
  console.log(JSON.stringify({ level: "info", msg: "scheduled run", cron, ...report }));
  return report;
}
