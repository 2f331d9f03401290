import { hmacSha256Hex } from "../auth/crypto";
import { timingSafeEqual } from "../lib/hash";
import type { Env } from "../env";

/**
 * A stream token ties a media stream to the signed webhook that created it: the carrier's answer passes it as
 * the `StreamToken` parameter, and the call's object checks it in `start` before bridging any audio. `key` is
 * the name of the call's object (the caller leg's carrier id).
 */
export const streamToken = (env: Env, customerId: number, key: string) =>
  hmacSha256Hex(env, "stream-token", `${customerId}:${key}`);

export async function validStreamToken(env: Env, customerId: number, key: string, token: string): Promise<boolean> {
  return timingSafeEqual(await streamToken(env, customerId, key), token);
}
