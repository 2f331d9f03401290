import { SignJWT } from "jose";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { verifyRepToken } from "../../src/auth/rep-jwt";
import type { Env } from "../../src/env";
import { admin, api, json, provisionTenant, repToken } from "../helpers";

const now = () => Math.floor(Date.now() / 1000);
const hs = (claims: Record<string, unknown>, secret = env.JWT_SECRET, alg = "HS256") =>
  new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));

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

  it("tolerates 60 s of clock skew and no more", async () => {
    const t = await provisionTenant();
    const within = await hs({ sub: String(t.repId), exp: now() - 30 });
    const beyond = await hs({ sub: String(t.repId), exp: now() - 120 });
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

  it("checks iss and aud when configured", async () => {
    const t = await provisionTenant();
    const cfg = { ...env, JWT_ISSUER: "https://idp.example", JWT_AUDIENCE: "voicedesk" } as Env;
    const ok = await hs({ sub: String(t.repId), exp: now() + 60, iss: "https://idp.example", aud: "voicedesk" });
    const wrongIss = await hs({ sub: String(t.repId), exp: now() + 60, iss: "https://evil.example", aud: "voicedesk" });
    const noAud = await hs({ sub: String(t.repId), exp: now() + 60, iss: "https://idp.example" });
    expect((await verifyRepToken(cfg, ok)).rep.id).toBe(t.repId);
    await expect(verifyRepToken(cfg, wrongIss)).rejects.toMatchObject({ status: 401 });
    await expect(verifyRepToken(cfg, noAud)).rejects.toMatchObject({ status: 401 });
  });
});

describe("rep JWT (RS256/ES256 via JWT_JWKS_URL)", () => {
  const jwksEnv = () => ({ ...env, JWT_JWKS_URL: `${inject("idpUrl")}/.well-known/jwks.json` }) as Env;

  it("accepts RS256 and ES256 tokens signed by the JWKS keys", async () => {
    const t = await provisionTenant();
    for (const alg of ["RS256", "ES256"] as const) {
      const auth = await verifyRepToken(jwksEnv(), await idpToken(alg, { sub: String(t.repId), scope: "voice:read" }));
      expect(auth.rep.id).toBe(t.repId);
      expect([...auth.scopes]).toEqual(["voice:read"]);
    }
  });

  it("refuses an HS256 token when a JWKS is configured (no algorithm confusion)", async () => {
    const t = await provisionTenant();
    await expect(verifyRepToken(jwksEnv(), await repToken(t.repId))).rejects.toMatchObject({ status: 401 });
  });

  it("refuses an expired JWKS token", async () => {
    const t = await provisionTenant();
    await expect(
      verifyRepToken(jwksEnv(), await idpToken("RS256", { sub: String(t.repId) }, "-5m")),
    ).rejects.toMatchObject({ status: 401 });
  });
});
