import type { Env } from "../env";
import { ApiError } from "../lib/errors";
import type { RateDecision } from "./rate-limiter";

export interface Budget {
  limit: number;
  windowSeconds: number;
}

/** Seconds until a refused window resets (at least 1). */
export const retryAfterSeconds = (d: RateDecision) => Math.max(1, d.resetAt - Math.floor(Date.now() / 1000));

/**
 * Spends `cost` of the budget named `name` (one RateLimiter object per name, so it holds across isolates), or
 * throws 429 with Retry-After and nothing spent.
 */
export async function spendOr429(env: Env, name: string, budget: Budget, message: string, cost = 1) {
  const d = await env.RATE_LIMITER.getByName(name).hit(budget.limit, budget.windowSeconds, cost);
  if (!d.allowed) throw new ApiError(429, message, {}, { "Retry-After": String(retryAfterSeconds(d)) });
  return d;
}
