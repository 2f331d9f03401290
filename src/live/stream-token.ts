import { hmacSha256Hex } from "../auth/crypto";
import { timingSafeEqual } from "../lib/hash";
import type { Env } from "../env";
import type { Leg } from "./carrier";

/** How long a minted token may wait for its stream's first `start` (a receiver rings up to 45 s before that). */
export const STREAM_TOKEN_TTL_MS = 5 * 60_000;

/**
 * What a stream token admits: one leg of one call. `key` is the name of the call's object (the caller leg's
 * carrier id); `callId` is the call record's id (`vc_` + 24 random hex digits), the call's nonce: it is the same
 * for every delivery of the call's webhook and for the receiver leg the object dials, and it binds the token to
 * the call the object's plan was built for.
 */
export interface StreamGrant {
  customerId: number;
  key: string;
  leg: Leg;
  callId: string;
}

const signed = (env: Env, g: StreamGrant, expiresAt: number) =>
  hmacSha256Hex(env, "stream-token", `${g.customerId}|${g.key}|${g.leg}|${g.callId}|${expiresAt}`);

/**
 * A stream token ties a media stream to the signed webhook (or the object's own dial) that created it: the
 * carrier's answer passes it as the `StreamToken` parameter, and the call's object checks it in `start` before
 * bridging any audio. `<expiresAt ms>.<hmac>`.
 */
export async function streamToken(env: Env, g: StreamGrant, expiresAt = Date.now() + STREAM_TOKEN_TTL_MS) {
  return `${expiresAt}.${await signed(env, g, expiresAt)}`;
}

/** "expired" only for a token that was genuine: a leg that already streamed may still come back with it. */
export async function checkStreamToken(
  env: Env,
  g: StreamGrant,
  token: string,
  now = Date.now(),
): Promise<"ok" | "expired" | "invalid"> {
  const m = /^(\d{1,15})\.([0-9a-f]{64})$/.exec(token);
  if (!m) return "invalid";
  const expiresAt = Number(m[1]);
  if (!(await timingSafeEqual(await signed(env, g, expiresAt), m[2]!))) return "invalid";
  return expiresAt < now ? "expired" : "ok";
}
