import { decodeJwt } from "jose";
import { createMiddleware } from "hono/factory";
import type { Env } from "../env";
import { ApiError, unauthorized } from "../lib/errors";
import { timingSafeEqual } from "../lib/hash";
import type { AppEnv, Auth } from "./context";
import { verifyPhoneToken } from "./phone-token";
import { verifyRepToken } from "./rep-jwt";
import type { Scope } from "./scopes";

function bearer(header: string | undefined): string {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  if (!m?.[1]) throw unauthorized("Missing bearer token");
  return m[1];
}

function isPhoneToken(token: string): boolean {
  try {
    return decodeJwt(token).channel === "phone";
  } catch {
    throw unauthorized("Malformed token");
  }
}

async function authenticate(env: Env, token: string): Promise<Auth> {
  return isPhoneToken(token) ? verifyPhoneToken(env, token) : verifyRepToken(env, token);
}

/** A rep's JWT is required; phone-auth tokens are refused. */
export const requireRep = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearer(c.req.header("Authorization"));
  if (isPhoneToken(token)) throw new ApiError(403, "This endpoint needs a rep token, not a phone-auth token");
  const rep = await verifyRepToken(c.env, token);
  c.set("auth", rep);
  c.set("rep", rep);
  c.set("upstreamDetail", true);
  await next();
});

/** A rep's JWT or a phone-auth token (TicketAccessOrPhoneAuth, README "Authentication"); check the ticket with `loadAccessibleTicket`. */
export const requireRepOrPhone = createMiddleware<AppEnv>(async (c, next) => {
  const auth = await authenticate(c.env, bearer(c.req.header("Authorization")));
  c.set("auth", auth);
  if (auth.kind === "rep") {
    c.set("rep", auth);
    c.set("upstreamDetail", true);
  }
  await next();
});

/** A rep token carrying `scope` (src/auth/scopes.ts); a phone-auth token is refused. After `requireRep(OrPhone)`. */
export const requireScope = (scope: Scope) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const auth = c.get("auth");
    if (auth.kind !== "rep" || !auth.scopes.has(scope)) throw new ApiError(403, `Missing scope: ${scope}`);
    await next();
  });

/** A rep token carrying `scope`, or a phone-auth token (the handler confines it to its own number's phone tickets). */
export const requireScopeOrPhone = (scope: Scope) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const auth = c.get("auth");
    if (auth.kind === "rep" && !auth.scopes.has(scope)) throw new ApiError(403, `Missing scope: ${scope}`);
    await next();
  });

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearer(c.req.header("Authorization"));
  if (!c.env.ADMIN_TOKEN || !(await timingSafeEqual(token, c.env.ADMIN_TOKEN)))
    throw unauthorized("Invalid admin token");
  c.set("upstreamDetail", true);
  await next();
});
