import { SignJWT, jwtVerify } from "jose";
import type { Env } from "../env";
import { unauthorized } from "../lib/errors";
import { hmacSecretBytes } from "./crypto";
import type { PhoneAuth } from "./context";

const ISSUER = "voicedesk";
const AUDIENCE = "voicedesk:phone";
export const PHONE_TOKEN_TTL_SECONDS = 3600;

export async function issuePhoneToken(env: Env, customerId: number, phoneNumber: string) {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + PHONE_TOKEN_TTL_SECONDS;
  const token = await new SignJWT({ customerId, phoneNumber, channel: "phone" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(`phone:${phoneNumber}`)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(await hmacSecretBytes(env, "phone-auth-token"));
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/** Phone tokens are signed with their own derived key, so a rep token can never pass as one (nor the reverse). */
export async function verifyPhoneToken(env: Env, token: string): Promise<PhoneAuth> {
  try {
    const { payload } = await jwtVerify(token, await hmacSecretBytes(env, "phone-auth-token"), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ["exp"],
      clockTolerance: 60,
    });
    if (
      payload.channel !== "phone" ||
      typeof payload.phoneNumber !== "string" ||
      typeof payload.customerId !== "number"
    ) {
      throw new Error("not a phone token");
    }
    return { kind: "phone", customerId: payload.customerId, phoneNumber: payload.phoneNumber };
  } catch {
    throw unauthorized("Invalid phone-auth token");
  }
}
