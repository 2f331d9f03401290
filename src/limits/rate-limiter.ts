import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds at which the current window ends and the count starts again. */
  resetAt: number;
}

/**
 * One fixed-window counter per (tenant, endpoint group), addressed by name, so every isolate that serves the
 * tenant counts into the same place. Requests are serialized by the object, so the count is exact.
 * The window and count are kept in the object's storage, so an eviction does not hand out a fresh window.
 */
export class RateLimiter extends DurableObject<Env> {
  async hit(limit: number, windowSeconds: number): Promise<RateDecision> {
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const kv = this.ctx.storage.kv;
    const stored = kv.get<{ start: number; count: number }>("window");
    const count = stored && stored.start === windowStart ? stored.count : 0;
    const resetAt = Math.ceil((windowStart + windowMs) / 1000);
    if (count >= limit) return { allowed: false, limit, remaining: 0, resetAt };
    kv.put("window", { start: windowStart, count: count + 1 });
    return { allowed: true, limit, remaining: limit - count - 1, resetAt };
  }
}
