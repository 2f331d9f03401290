/**
 * When a RingCentral request is tried again (docs/ringcentral.md, "Retries"). Bounded on every axis: at most
 * MAX_RETRIES more attempts, no single wait over MAX_WAIT_MS, so one request costs at most ~20 s of waiting. A
 * call rings for about that long, and RingCentral restarts its penalty window on every request made inside it.
 */
import { logRingCentral, unreachable } from "./errors";

export const MAX_RETRIES = 2;
/** A Retry-After longer than this is not waited for: the request fails at once (and is logged). */
export const MAX_WAIT_MS = 10_000;
/** RingCentral usually names its wait; when a 429 does not, it advises 30 s (beyond our bound: no retry). */
const DEFAULT_RATE_LIMIT_WAIT_MS = 30_000;
/** Waits before the first and second retry of a 5xx or a network failure without Retry-After. */
const BACKOFF_MS = [500, 1_000] as const;

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === "") return null;
  const v = header.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/**
 * The wait before retrying a response of `status` (0 = not reached at all), or null when it must not be retried:
 * 429 after the wait RingCentral names (within the bound), 5xx and network failures only when the request may be
 * repeated (`retry5xx`), never 4xx (403 "not the owner", 404 gone, … cannot get better by asking again).
 */
export function retryDelay(
  status: number,
  retryAfter: string | null,
  retriesSoFar: number,
  retry5xx: boolean,
  now = Date.now(),
): number | null {
  if (retriesSoFar >= MAX_RETRIES) return null;
  const told = parseRetryAfter(retryAfter, now);
  let wait: number;
  if (status === 429) wait = told ?? DEFAULT_RATE_LIMIT_WAIT_MS;
  else if (retry5xx && (status === 0 || status >= 500)) wait = told ?? BACKOFF_MS[retriesSoFar] ?? MAX_WAIT_MS;
  else return null;
  return wait <= MAX_WAIT_MS ? wait : null;
}

export interface RetryOptions {
  /** How to wait; tests pass one that records the waits instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  /** Whether 5xx and network failures may be retried (not for requests that must not run twice). Default true. */
  retry5xx?: boolean;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends a request (`send` builds it anew each time) under the retry policy. Resolves with the last response,
 * successful or not (the caller turns a failure into an UpstreamError); a network failure that outlives its
 * retries throws.
 */
export async function sendWithRetries(
  send: () => Promise<Response>,
  what: string,
  opts: RetryOptions = {},
): Promise<Response> {
  const sleep = opts.sleep ?? sleepFor;
  const retry5xx = opts.retry5xx ?? true;
  for (let retries = 0; ; retries++) {
    let res: Response;
    try {
      res = await send();
    } catch (e) {
      const wait = retryDelay(0, null, retries, retry5xx);
      if (wait === null) throw unreachable(e, what);
      await sleep(wait);
      continue;
    }
    if (res.ok) return res;
    const retryAfter = res.headers.get("Retry-After");
    const wait = retryDelay(res.status, retryAfter, retries, retry5xx);
    if (wait === null) {
      if (res.status === 429)
        logRingCentral("warn", "rate limited; not retrying", { what, retryAfter, attempts: retries + 1 });
      return res;
    }
    await res.body?.cancel();
    await sleep(wait);
  }
}
