import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { Env } from "../env";
import { ApiError } from "./errors";

/**
 * CORS for the browser-facing API (docs/console.md, "CORS"). Origins listed in `CORS_ORIGINS` (comma-separated)
 * are echoed back with credentials allowed; a `*` entry lets any other origin in, without credentials (a browser
 * refuses credentials with a wildcard, so the answer never claims both). Any other origin gets no CORS header at
 * all, and its preflight a 403, so the browser keeps the answer from the page. Paths that are not for browsers
 * (provisioning, the anonymous signed webhooks) are never opened, whatever the list says.
 */

/** What the console and other browser clients send beyond the CORS-safelisted headers. */
const ALLOW_HEADERS = ["Authorization", "Content-Type", "If-None-Match", "Range"];
/** Headers a page may read: rate limits, caching, errors' request id, created resources, partial content. */
const EXPOSE_HEADERS = [
  "Accept-Ranges",
  "Content-Length",
  "Content-Range",
  "ETag",
  "Location",
  "Retry-After",
  "X-Request-Id",
  "X-RateLimit-Limit",
  "X-RateLimit-Remaining",
  "X-RateLimit-Reset",
];
const ALLOW_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
/** Seconds a browser may reuse a preflight answer. */
const PREFLIGHT_MAX_AGE = 600;

export interface CorsPolicy {
  /** `*` was listed: every origin is allowed, without credentials. */
  anyOrigin: boolean;
  /** Listed origins, as browsers serialize them (`https://host[:port]`, lower-case host, no default port). */
  origins: ReadonlySet<string>;
}

/** `https://Console.Example.com/` → `https://console.example.com`; anything but a bare http(s) origin → null. */
function canonicalOrigin(entry: string): string | null {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return null;
  }
  const bare = url.href === `${url.origin}/` && !/[?#]/.test(entry);
  return bare && (url.protocol === "https:" || url.protocol === "http:") ? url.origin : null;
}

/** Reads `CORS_ORIGINS`; entries that are not origins (a path, a typo) are ignored rather than half-applied. */
export function parseCorsOrigins(value: string | undefined): CorsPolicy {
  const origins = new Set<string>();
  let anyOrigin = false;
  for (const raw of (value ?? "").split(",")) {
    const entry = raw.trim();
    if (entry === "*") anyOrigin = true;
    else if (entry) {
      const origin = canonicalOrigin(entry);
      if (origin) origins.add(origin);
    }
  }
  return { anyOrigin, origins };
}

/** The `Access-Control-Allow-Origin` value for a request's origin, or null when it is not allowed. */
export function allowedOrigin(policy: CorsPolicy, origin: string): string | null {
  if (policy.origins.has(origin)) return origin;
  return policy.anyOrigin ? "*" : null;
}

/** CORS for every path under the mount point except those matching `closed`. */
export function browserCors(closed: readonly RegExp[]): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const origin = c.req.header("Origin");
    if (!origin || closed.some((p) => p.test(c.req.path))) return next();
    const allow = allowedOrigin(parseCorsOrigins(c.env.CORS_ORIGINS), origin);
    if (!allow) {
      const preflight = c.req.method === "OPTIONS" && c.req.header("Access-Control-Request-Method") !== undefined;
      if (preflight) throw new ApiError(403, "Cross-origin requests from this origin are not allowed");
      return next();
    }
    // A function (not the string) so that even a `*` answer carries `Vary: Origin`: listed origins get another one.
    return cors({
      origin: () => allow,
      credentials: allow !== "*",
      allowMethods: ALLOW_METHODS,
      allowHeaders: ALLOW_HEADERS,
      exposeHeaders: EXPOSE_HEADERS,
      maxAge: PREFLIGHT_MAX_AGE,
    })(c, next);
  };
}
