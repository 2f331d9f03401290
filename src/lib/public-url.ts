import type { Env } from "../env";

/** The externally visible origin: PUBLIC_BASE_URL when set (behind proxies), else the origin a request arrived at. */
export const publicOriginOf = (env: Env, origin: string): string => (env.PUBLIC_BASE_URL || origin).replace(/\/+$/, "");

export const publicOrigin = (env: Env, request: Request): string => publicOriginOf(env, new URL(request.url).origin);

/** The public URL of this request, path and query byte-for-byte as received: what Twilio signed. */
export function publicRequestUrl(env: Env, request: Request): string {
  const u = new URL(request.url);
  const raw = request.url.slice(request.url.indexOf(u.host) + u.host.length);
  return publicOrigin(env, request) + raw;
}

export const toWebSocketOrigin = (origin: string) => origin.replace(/^http/, "ws");
