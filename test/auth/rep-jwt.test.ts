import { SignJWT } from "jose";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { verifyRepToken } from "../../src/auth/rep-jwt";
import type { Env } from "../../src/env";
import { admin, api, json, provisionTenant, repToken } from "../helpers";

const now = () => Math.floor(Date.now() / 1000);
/** The issuer and audience the test Worker is configured with (vitest.config.mts), so every rep token must carry them. */
const issAud = { iss: env.JWT_ISSUER, aud: env.JWT_AUDIENCE };
const hs = (claims: Record<string, unknown>, secret = env.JWT_SECRET, alg = "HS256") =>
  new SignJWT({ ...issAud, ...claims }).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));

async function idpToken(alg: "RS256" | "ES256", claims: Record<string, unknown>, expiresIn = "10m") {
  const res = await fetch(`${inject("idpUrl")}/__fake/sign`, {
    method: "POST",
    body: JSON.stringify({ alg, claims, expiresIn }),
  });
  return ((await res.json()) as { token: string }).token;
}

describe("rep JWT (HS256 via JWT_SECRET)", () => {
  it("accepts a valid token and exposes rep, customer and scopes", async () => {
    const t = await provisionTenant();
    const res = await api("/api/me", { token: await repToken(t.repId, { scope: "voice:read audio:download" }) });
    expect(res.status).toBe(200);
    const me = await json<{ rep: { id: number; phoneNumbers: string[] }; customer: { id: number }; scopes: string[] }>(
      res,
    );
    expect(me.rep.id).toBe(t.repId);
    expect(me.rep.phoneNumbers).toEqual([t.repNumber]);
    expect(me.customer.id).toBe(t.customerId);
    expect(me.scopes.sort()).toEqual(["audio:download", "voice:read"]);
  });

  it("never returns a secret from /api/me", async () => {
    const t = await provisionTenant();
    const text = await (await api("/api/me", { token: t.token })).text();
    for (const secret of [t.authToken, t.apiKeySecret, t.openaiKey!]) expect(text).not.toContain(secret);
  });

  it("tolerates 5 s of clock skew and no more", async () => {
    const t = await provisionTenant();
    const within = await hs({ sub: String(t.repId), exp: now() - 2 });
    const beyond = await hs({ sub: String(t.repId), exp: now() - 10 });
    expect((await api("/api/me", { token: within })).status).toBe(200);
    const res = await api("/api/me", { token: beyond });
    expect(res.status).toBe(401);
    expect((await json(res)).error).toBe("Token expired");
  });

  it("requires exp and a numeric sub", async () => {
    const t = await provisionTenant();
    expect((await api("/api/me", { token: await hs({ sub: String(t.repId) }) })).status).toBe(401);
    expect((await api("/api/me", { token: await hs({ sub: "rep-one", exp: now() + 60 }) })).status).toBe(401);
  });

  it("refuses a wrong secret, a tampered payload, alg none and a missing header", async () => {
    const t = await provisionTenant();
    expect(
      (
        await api("/api/me", {
          token: await hs({ sub: String(t.repId), exp: now() + 60 }, "another-secret-of-enough-length!!"),
        })
      ).status,
    ).toBe(401);
    const good = await repToken(t.repId);
    const [h, , s] = good.split(".");
    const forged = btoa(JSON.stringify({ sub: String(t.repId + 1), exp: now() + 60 })).replace(/=+$/, "");
    expect((await api("/api/me", { token: `${h}.${forged}.${s}` })).status).toBe(401);
    const none = `${btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "")}.${btoa(JSON.stringify({ sub: String(t.repId), exp: now() + 60 })).replace(/=+$/, "")}.`;
    expect((await api("/api/me", { token: none })).status).toBe(401);
    expect(
      (await api("/api/me", { token: await hs({ sub: String(t.repId), exp: now() + 60 }, env.JWT_SECRET, "HS512") }))
        .status,
    ).toBe(401);
    expect((await api("/api/me")).status).toBe(401);
  });

  it("refuses an inactive rep and an unknown rep", async () => {
    const t = await provisionTenant();
    await admin(`/customers/${t.customerId}/reps/${t.repId}`, { method: "PATCH", json: { active: false } });
    const res = await api("/api/me", { token: t.token });
    expect(res.status).toBe(403);
    expect((await json(res)).error).toBe("Rep is inactive");
    expect((await api("/api/me", { token: await repToken(987654) })).status).toBe(401);
  });

  it("requires iss and aud when configured and checks them", async () => {
    const t = await provisionTenant();
    const claims = { sub: String(t.repId), exp: now() + 60 };
    expect((await api("/api/me", { token: await hs(claims) })).status).toBe(200);
    for (const [bad, claim] of [
      [{ iss: "https://evil.example" }, "iss"],
      [{ aud: "another-api" }, "aud"],
      [{ iss: undefined }, "iss"],
      [{ aud: undefined }, "aud"],
    ] as const) {
      const res = await api("/api/me", { token: await hs({ ...claims, ...bad }) });
      expect(res.status).toBe(401);
      expect((await json(res)).error).toBe(`Token claim invalid: ${claim}`);
    }
  });

  it("checks only the claims that are configured (SPEC.md: iss/aud checked when configured)", async () => {
    const t = await provisionTenant();
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT({ sub: String(t.repId), exp: now() + 60, ...claims })
        .setProtectedHeader({ alg: "HS256" })
        .sign(new TextEncoder().encode(env.JWT_SECRET));
    const unset = { ...env, JWT_ISSUER: undefined, JWT_AUDIENCE: undefined } as Env;
    expect((await verifyRepToken(unset, await sign({}))).rep.id).toBe(t.repId);
    expect((await verifyRepToken(unset, await sign({ iss: "any", aud: "thing" }))).rep.id).toBe(t.repId);
    const issuerOnly = { ...unset, JWT_ISSUER: env.JWT_ISSUER } as Env;
    expect((await verifyRepToken(issuerOnly, await sign({ iss: env.JWT_ISSUER }))).rep.id).toBe(t.repId);
    await expect(verifyRepToken(issuerOnly, await sign({ aud: env.JWT_AUDIENCE }))).rejects.toMatchObject({
      status: 401,
      message: "Token claim invalid: iss",
    });
    const audienceOnly = { ...unset, JWT_AUDIENCE: env.JWT_AUDIENCE } as Env;
    await expect(verifyRepToken(audienceOnly, await sign({ iss: env.JWT_ISSUER }))).rejects.toMatchObject({
      status: 401,
      message: "Token claim invalid: aud",
    });
  });

  it("verifies with a JWT_SECRET of any length (the health report flags a short one)", async () => {
    const t = await provisionTenant();
    const short = "test-secret";
    const token = await hs({ sub: String(t.repId), exp: now() + 60 }, short);
    expect((await verifyRepToken({ ...env, JWT_SECRET: short } as Env, token)).rep.id).toBe(t.repId);
    const other = await hs({ sub: String(t.repId), exp: now() + 60 }, "test-secreT");
    await expect(verifyRepToken({ ...env, JWT_SECRET: short } as Env, other)).rejects.toMatchObject({ status: 401 });
  });
});

describe("rep JWT (RS256/ES256 via JWT_JWKS_URL)", () => {
  const jwksEnv = () => ({ ...env, JWT_JWKS_URL: `${inject("idpUrl")}/.well-known/jwks.json` }) as Env;

  it("accepts RS256 and ES256 tokens signed by the JWKS keys", async () => {
    const t = await provisionTenant();
    for (const alg of ["RS256", "ES256"] as const) {
      const token = await idpToken(alg, { ...issAud, sub: String(t.repId), scope: "voice:read" });
      const auth = await verifyRepToken(jwksEnv(), token);
      expect(auth.rep.id).toBe(t.repId);
      expect([...auth.scopes]).toEqual(["voice:read"]);
    }
  });

  it("refuses an HS256 token when a JWKS is configured (no algorithm confusion)", async () => {
    const t = await provisionTenant();
    // Refused by the algorithm pin itself (jose would also find no HS256 key in the set, with another message).
    await expect(verifyRepToken(jwksEnv(), await repToken(t.repId))).rejects.toMatchObject({
      status: 401,
      message: "Token algorithm not allowed",
    });
  });

  it("refuses an expired JWKS token", async () => {
    const t = await provisionTenant();
    await expect(
      verifyRepToken(jwksEnv(), await idpToken("RS256", { ...issAud, sub: String(t.repId) }, "-5m")),
    ).rejects.toMatchObject({ status: 401 });
  });
});
