import { SignJWT } from "jose";
import { utf8 } from "../../lib/encoding";

export const VOICE_TOKEN_TTL_SECONDS = 3600;

export interface VoiceTokenInput {
  accountSid: string;
  apiKeySid: string;
  apiKeySecret: string;
  identity: string;
  /** The TwiML app whose Voice URL Twilio requests on `Device.connect()`. */
  outgoingApplicationSid: string;
  /** Home region (`ie1`…); adds the `twr` header, as Twilio's own helper does. */
  region?: string | null;
  ttlSeconds?: number;
  /** Unix seconds; for tests. */
  now?: number;
}

/**
 * A Twilio Access Token with a Voice grant (incoming allowed, outgoing to the TwiML app), signed HS256 with the
 * tenant's API key secret. Same header and claims as twilio-node's `AccessToken` + `VoiceGrant`.
 */
export async function voiceAccessToken(o: VoiceTokenInput): Promise<{ token: string; expiresAt: number }> {
  const now = o.now ?? Math.floor(Date.now() / 1000);
  const exp = now + (o.ttlSeconds ?? VOICE_TOKEN_TTL_SECONDS);
  const header = { alg: "HS256", typ: "JWT", cty: "twilio-fpa;v=1", ...(o.region ? { twr: o.region } : {}) };
  const token = await new SignJWT({
    jti: `${o.apiKeySid}-${now}`,
    grants: {
      identity: o.identity,
      voice: { incoming: { allow: true }, outgoing: { application_sid: o.outgoingApplicationSid } },
    },
  })
    .setProtectedHeader(header)
    .setIssuer(o.apiKeySid)
    .setSubject(o.accountSid)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(utf8(o.apiKeySecret));
  return { token, expiresAt: exp };
}
