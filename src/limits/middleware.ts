import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../auth/context";
import { ApiError } from "../lib/errors";
import { retryAfterSeconds } from "./budget";
import type { RateDecision } from "./rate-limiter";

/** Per-tenant budgets per minute (docs/call-data.md, "Rate limits"). */
export const RATE_LIMITS = { analytics: 60, recordings: 30 } as const;
export type RateGroup = keyof typeof RATE_LIMITS;
const WINDOW_SECONDS = 60;

function rateHeaders(d: RateDecision): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(d.limit),
    "X-RateLimit-Remaining": String(d.remaining),
    "X-RateLimit-Reset": String(d.resetAt),
  };
}

/**
 * Counts the request against the tenant's budget for the group (after `requireRep`, which names the tenant).
 * Every answer from here on carries the X-RateLimit-* headers, errors included; past the limit, 429 + Retry-After.
 */
export const rateLimit = (group: RateGroup) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const stub = c.env.RATE_LIMITER.getByName(`${group}:${c.get("rep").customerId}`);
    const d = await stub.hit(RATE_LIMITS[group], WINDOW_SECONDS);
    const headers = rateHeaders(d);
    if (!d.allowed) {
      throw new ApiError(429, "Rate limit exceeded", {}, { ...headers, "Retry-After": String(retryAfterSeconds(d)) });
    }
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  });
