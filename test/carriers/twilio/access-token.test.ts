import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { voiceAccessToken } from "../../../src/carriers/twilio/access-token";
import { hex } from "../../helpers";
import { referenceAccessToken } from "./helpers";

const input = (region?: string) => ({
  accountSid: `AC${hex(16)}`,
  apiKeySid: `SK${hex(16)}`,
  apiKeySecret: `secret-${hex(16)}`,
  identity: "rep_42",
  outgoingApplicationSid: `AP${hex(16)}`,
  ...(region ? { region } : {}),
});

describe("voiceAccessToken, claim by claim against twilio's AccessToken + VoiceGrant", () => {
  it.each([["ie1"], [undefined]])("matches the official token for region %s", async (region) => {
    const i = input(region);
    const ref = await referenceAccessToken(i);
    const { token, expiresAt } = await voiceAccessToken(i);

    expect(decodeProtectedHeader(token)).toEqual(decodeProtectedHeader(ref));
    if (region) expect(decodeProtectedHeader(token).twr).toBe(region);
    else expect(decodeProtectedHeader(token)).not.toHaveProperty("twr");

    const ours = decodeJwt(token);
    const theirs = decodeJwt(ref);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    expect(ours.iss).toBe(theirs.iss);
    expect(ours.sub).toBe(theirs.sub);
    expect(ours.grants).toEqual(theirs.grants);
    // time claims: same shape and TTL; issued within the same few seconds
    expect(Math.abs(ours.iat! - theirs.iat!)).toBeLessThanOrEqual(5);
    expect(ours.exp! - ours.iat!).toBe(theirs.exp! - theirs.iat!);
    expect(ours.exp).toBe(expiresAt);
    expect(ours.jti).toBe(`${i.apiKeySid}-${ours.iat}`);
    // twilio-node reads the clock separately for jti and iat: across a second boundary they differ by one.
    const [, theirJtiTime] = /^SK[0-9a-f]{32}-(\d+)$/.exec(String(theirs.jti)) ?? [];
    expect(theirs.jti).toMatch(new RegExp(`^${i.apiKeySid}-\\d+$`));
    expect(Math.abs(Number(theirJtiTime) - theirs.iat!)).toBeLessThanOrEqual(1);
  });

  it("signs HS256 with the API key secret, and nothing else verifies it", async () => {
    const i = input("ie1");
    const { token } = await voiceAccessToken(i);
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(i.apiKeySecret), {
      algorithms: ["HS256"],
      issuer: i.apiKeySid,
      subject: i.accountSid,
      typ: "JWT",
    });
    expect(protectedHeader).toMatchObject({ alg: "HS256", typ: "JWT", cty: "twilio-fpa;v=1", twr: "ie1" });
    expect(payload.grants).toEqual({
      identity: "rep_42",
      voice: { incoming: { allow: true }, outgoing: { application_sid: i.outgoingApplicationSid } },
    });
    await expect(jwtVerify(token, new TextEncoder().encode(`${i.apiKeySecret}x`))).rejects.toThrow();
    // the reference token verifies with the same key, so both were signed alike
    await expect(
      jwtVerify(await referenceAccessToken(i), new TextEncoder().encode(i.apiKeySecret)),
    ).resolves.toBeTruthy();
  });

  it("is deterministic for a given clock, with a one-hour lifetime", async () => {
    const i = { ...input(), now: 1_700_000_000 };
    const a = await voiceAccessToken(i);
    const b = await voiceAccessToken(i);
    expect(a.token).toBe(b.token);
    const p = decodeJwt(a.token);
    expect(p.iat).toBe(1_700_000_000);
    expect(p.exp).toBe(1_700_003_600);
  });
});
