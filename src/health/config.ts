import type { Env } from "../env";
import { base64ToBytes, utf8 } from "../lib/encoding";
import { type Check, fail, pass } from "./check";
import { hostOf, probeJson } from "./probe";

/** 32 characters: `npm run setup:remote` generates 43 (32 random bytes, base64url), `npm start` 32 hex digits. */
export const MIN_ADMIN_TOKEN_CHARS = 32;
export const MIN_JWT_SECRET_BYTES = 32;
const KEY_BYTES = 32;

export function adminTokenCheck(env: Env): Check {
  const token: string | undefined = env.ADMIN_TOKEN;
  const fix =
    "npm run setup:remote -- --rotate-admin-token, or: openssl rand -base64 32 | wrangler secret put ADMIN_TOKEN";
  if (!token) return fail("secret.ADMIN_TOKEN", "not set: the admin API answers 401 to everyone", fix);
  if (token.length < MIN_ADMIN_TOKEN_CHARS) {
    return fail("secret.ADMIN_TOKEN", `${token.length} characters, fewer than ${MIN_ADMIN_TOKEN_CHARS}`, fix);
  }
  return pass("secret.ADMIN_TOKEN", `set, ${token.length} characters`);
}

export function encryptionKeyCheck(env: Env): Check {
  const key: string | undefined = env.ENCRYPTION_KEY;
  const fix =
    "On a new deployment: openssl rand -base64 32 | wrangler secret put ENCRYPTION_KEY. On one with tenants, restore the " +
    "key they were stored with: tenant secrets encrypted under another key cannot be read";
  if (!key) return fail("secret.ENCRYPTION_KEY", "not set: tenant secrets can be neither stored nor read", fix);
  const bytes = base64ToBytes(key);
  if (!bytes) return fail("secret.ENCRYPTION_KEY", "not canonical base64", fix);
  if (bytes.length < KEY_BYTES) {
    return fail("secret.ENCRYPTION_KEY", `base64 of ${bytes.length} bytes, fewer than ${KEY_BYTES}`, fix);
  }
  return pass("secret.ENCRYPTION_KEY", `base64 of ${bytes.length} bytes`);
}

/** Rep tokens: a JWKS that answers with keys (it wins when set, as in src/auth/rep-jwt.ts), else a long HS256 secret. */
export async function jwtCheck(env: Env): Promise<Check> {
  if (env.JWT_JWKS_URL) {
    const host = hostOf(env.JWT_JWKS_URL);
    const fix = "Point JWT_JWKS_URL at your identity provider's JWKS (wrangler secret put JWT_JWKS_URL)";
    const probe = await probeJson(env.JWT_JWKS_URL);
    if (!probe.reached) return fail("secret.JWT", `JWT_JWKS_URL (${host}) unreachable: ${probe.reason}`, fix);
    const keys = (probe.body as { keys?: unknown } | null)?.keys;
    if (probe.status !== 200 || !Array.isArray(keys) || keys.length === 0) {
      return fail("secret.JWT", `JWT_JWKS_URL (${host}) answered ${probe.status} without a "keys" list`, fix);
    }
    const ignored = env.JWT_SECRET ? "; JWT_SECRET is set too and ignored" : "";
    return pass("secret.JWT", `JWT_JWKS_URL (${host}) answered ${keys.length} keys (RS256/ES256 rep tokens)${ignored}`);
  }
  const fix =
    "openssl rand -base64 48 | wrangler secret put JWT_SECRET (or set JWT_JWKS_URL to your identity provider's JWKS)";
  if (!env.JWT_SECRET)
    return fail("secret.JWT", "neither JWT_SECRET nor JWT_JWKS_URL is set: no rep token verifies", fix);
  const n = utf8(env.JWT_SECRET).length;
  if (n < MIN_JWT_SECRET_BYTES)
    return fail("secret.JWT", `JWT_SECRET is ${n} bytes, fewer than ${MIN_JWT_SECRET_BYTES}`, fix);
  return pass("secret.JWT", `JWT_SECRET is ${n} bytes (HS256 rep tokens)`);
}

/** Twilio calls back the URLs we build from this origin, and signs them: it must be public https. */
export function publicUrlCheck(env: Env, requestOrigin: string): Check {
  const fix =
    "Set PUBLIC_BASE_URL to the https origin Twilio calls, e.g. https://voicedesk.example.com (docs/deploy.md)";
  const configured = env.PUBLIC_BASE_URL;
  if (!configured) {
    return requestOrigin.startsWith("https://")
      ? pass("config.PUBLIC_BASE_URL", `unset: each request's own origin is used (this one: ${requestOrigin})`)
      : fail("config.PUBLIC_BASE_URL", `unset, and this request came over http (${requestOrigin})`, fix);
  }
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    return fail("config.PUBLIC_BASE_URL", `"${configured}" is not a URL`, fix);
  }
  if (url.protocol !== "https:") return fail("config.PUBLIC_BASE_URL", `${configured} is not https`, fix);
  if (url.pathname.replace(/\/+$/, "") !== "" || url.search) {
    return fail("config.PUBLIC_BASE_URL", `${configured} has a path or query; it must be an origin`, fix);
  }
  return pass("config.PUBLIC_BASE_URL", `${url.origin} (callback URLs and Twilio signature checks use it)`);
}
