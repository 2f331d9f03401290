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
 * One fixed-window counter per name (a tenant's endpoint group, a client address, a tenant's upload quota…), so
 * every isolate counts into the same place. Requests are serialized by the object, so the count is exact and a
 * spend is claimed atomically. The window and count are kept in the object's storage, so an eviction does not
 * hand out a fresh window. A window opens at the first spend after the last one ended, not on the clock's minute:
 * a burst that straddles a minute boundary would otherwise get twice the limit within a few seconds.
 */
export class RateLimiter extends DurableObject<Env> {
  /** Spends `cost` (1 request, or e.g. bytes of a quota) unless that would pass `limit` in the current window. */
  async hit(limit: number, windowSeconds: number, cost = 1): Promise<RateDecision> {
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    const kv = this.ctx.storage.kv;
    const stored = kv.get<{ start: number; count: number }>("window");
    const current = stored && now >= stored.start && now < stored.start + windowMs ? stored : null;
    // Whole seconds, so X-RateLimit-Reset (Unix seconds) is exactly the window's end.
    const start = current?.start ?? Math.floor(now / 1000) * 1000;
    const count = current?.count ?? 0;
    const resetAt = (start + windowMs) / 1000;
    if (count + cost > limit) return { allowed: false, limit, remaining: Math.max(0, limit - count), resetAt };
    kv.put("window", { start, count: count + cost });
    return { allowed: true, limit, remaining: limit - count - cost, resetAt };
  }
}
