import type { Env } from "../env";

/** The externally visible origin: PUBLIC_BASE_URL when set (behind proxies), else the request's own origin. */
export function publicOrigin(env: Env, request: Request): string {
  return (env.PUBLIC_BASE_URL || new URL(request.url).origin).replace(/\/+$/, "");
}

/** The public URL of this request, path and query byte-for-byte as received: what Twilio signed. */
export function publicRequestUrl(env: Env, request: Request): string {
  const u = new URL(request.url);
  const raw = request.url.slice(request.url.indexOf(u.host) + u.host.length);
  return publicOrigin(env, request) + raw;
}

export const toWebSocketOrigin = (origin: string) => origin.replace(/^http/, "ws");
