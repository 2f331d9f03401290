import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import type { Env } from "../env";
import { getRepById } from "../db/reps";
import { ApiError, unauthorized } from "../lib/errors";
import type { RepAuth } from "./context";
import { grantedScopes } from "./scopes";

/**
 * Seconds a token may be past its `exp` (or before its `nbf`): the skew between the issuer's clock and ours. Small,
 * because a token that just expired must stop working; NTP-synced clocks differ by far less than this.
 */
const CLOCK_SKEW_SECONDS = 5;

// A cache of the key set object only (jose refetches on unknown kid); correctness never depends on it.
const jwksByUrl = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function jwks(url: string) {
  let set = jwksByUrl.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url));
    jwksByUrl.set(url, set);
  }
  return set;
}

const misconfigured = (what: string) => new ApiError(500, `Server is not configured (${what})`);

/**
 * `iss` and `aud` are checked when configured (SPEC.md: "`iss`/`aud` checked when configured"): a token must then
 * carry each configured one, with that value, so a token minted for another service of the same identity provider
 * does not pass. Neither is set by default (wrangler.toml): a deployment whose tokens come from an identity
 * provider sets both (docs/deploy.md).
 */
function claimChecks(env: Env): { issuer?: string; audience?: string } {
  return {
    ...(env.JWT_ISSUER ? { issuer: env.JWT_ISSUER } : {}),
    ...(env.JWT_AUDIENCE ? { audience: env.JWT_AUDIENCE } : {}),
  };
}

async function verifySignature(env: Env, token: string): Promise<JWTPayload> {
  const options = { requiredClaims: ["exp", "sub"], clockTolerance: CLOCK_SKEW_SECONDS, ...claimChecks(env) };
  if (env.JWT_JWKS_URL) {
    return (await jwtVerify(token, jwks(env.JWT_JWKS_URL), { ...options, algorithms: ["RS256", "ES256"] })).payload;
  }
  if (env.JWT_SECRET) {
    // Any length verifies: a short secret is the deployment's weakness, reported by GET /api/admin/health (and
    // npm run doctor, src/health/config.ts), not a reason to answer 500 to every rep.
    const key = new TextEncoder().encode(env.JWT_SECRET);
    return (await jwtVerify(token, key, { ...options, algorithms: ["HS256"] })).payload;
  }
  throw misconfigured("JWT_SECRET or JWT_JWKS_URL");
}

function describe(e: unknown): string {
  if (e instanceof errors.JWTExpired) return "Token expired";
  if (e instanceof errors.JWTClaimValidationFailed) return `Token claim invalid: ${e.claim}`;
  if (e instanceof errors.JOSEAlgNotAllowed) return "Token algorithm not allowed";
  return "Invalid token";
}

/** Verifies a rep's bearer token and loads the rep; an unknown or inactive rep is refused. */
export async function verifyRepToken(env: Env, token: string): Promise<RepAuth> {
  let payload: JWTPayload;
  try {
    payload = await verifySignature(env, token);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw unauthorized(describe(e));
  }
  const repId = /^[1-9]\d{0,15}$/.test(payload.sub ?? "") ? Number(payload.sub) : NaN;
  if (!Number.isSafeInteger(repId)) throw unauthorized("Token subject is not a rep ID");
  const rep = await getRepById(env.DB, repId);
  if (!rep) throw unauthorized("Unknown rep");
  if (rep.active !== 1) throw new ApiError(403, "Rep is inactive");
  const scope = typeof payload.scope === "string" ? payload.scope : "";
  return { kind: "rep", customerId: rep.customer_id, rep, scopes: grantedScopes(scope) };
}
