import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RingCentralRest } from "../../../src/carriers/ringcentral/rest";
import { JWT_BEARER_GRANT } from "../../../src/carriers/ringcentral/token-grant";
import { ringcentralAuth } from "../../../src/carriers/ringcentral/token-object";
import { UpstreamError } from "../../../src/lib/upstream";
import { apiRequests, failNext, provisionRingCentral, rcFake, setDevices, tokenRequests } from "./helpers";

const creds = (t: Awaited<ReturnType<typeof provisionRingCentral>>) => {
  const { clientId, clientSecret, jwt } = t.account;
  return { clientId, clientSecret, jwt };
};

type Auth = ReturnType<typeof ringcentralAuth>;

/** The token, or the failure's message as an error. */
async function grant(auth: Auth, c: Parameters<Auth["accessToken"]>[0]) {
  const r = await auth.accessToken(c);
  if (!r.ok) throw new Error(`${r.failure.status} ${r.failure.code}: ${r.failure.message}`);
  return r.grant;
}

describe("RingCentral access token (one object per tenant)", () => {
  it("20 concurrent callers share one JWT grant, and later callers reuse the cached token", async () => {
    const t = await provisionRingCentral();
    const auth = ringcentralAuth(env, t.customerId);
    const grants = await Promise.all(Array.from({ length: 20 }, () => grant(auth, creds(t))));
    expect(new Set(grants.map((g) => g.accessToken)).size).toBe(1);
    expect(grants[0]!.ownerId).toBe(t.extensionId);
    expect(await tokenRequests(t)).toEqual([{ clientId: t.account.clientId, grantType: JWT_BEARER_GRANT }]);
    const again = await grant(auth, creds(t));
    expect(again.accessToken).toBe(grants[0]!.accessToken);
    expect(await tokenRequests(t)).toHaveLength(1);
  });

  it("REST calls from many requests at once make one token request", async () => {
    const t = await provisionRingCentral();
    await setDevices(t, [{ id: "d1", status: "Online" }]);
    const rest = new RingCentralRest(env, t.account);
    await Promise.all(Array.from({ length: 20 }, () => rest.listDevices()));
    expect(await tokenRequests(t)).toHaveLength(1);
    expect(await apiRequests(t)).toHaveLength(20);
  });

  it("refreshes a token close to its expiry (with the refresh token), before using it, once", async () => {
    // Tokens of 30 s are inside the 60 s refresh margin as soon as they are issued.
    const t = await provisionRingCentral({ tokenTtl: 30 });
    const auth = ringcentralAuth(env, t.customerId);
    const first = await grant(auth, creds(t));
    await rcFake(`/apps/${t.account.clientId}`, { tokenTtl: 3600 });
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => grant(auth, creds(t))));
    expect(a!.accessToken).not.toBe(first.accessToken);
    expect(b!.accessToken).toBe(a!.accessToken);
    expect(c!.accessToken).toBe(a!.accessToken);
    expect((await tokenRequests(t)).map((r) => r.grantType)).toEqual([JWT_BEARER_GRANT, "refresh_token"]);
    await grant(auth, creds(t));
    expect(await tokenRequests(t)).toHaveLength(2);
  });

  it("falls back to the JWT grant when the refresh token is refused", async () => {
    const t = await provisionRingCentral({ tokenTtl: 30 });
    const auth = ringcentralAuth(env, t.customerId);
    await grant(auth, creds(t));
    await failNext(t, { pathPattern: "^/restapi/oauth/token$", status: 401 });
    await grant(auth, creds(t));
    expect((await tokenRequests(t)).map((r) => r.grantType)).toEqual([
      JWT_BEARER_GRANT,
      "refresh_token",
      JWT_BEARER_GRANT,
    ]);
  });

  it("a token issued for other credentials is never handed out", async () => {
    const t = await provisionRingCentral();
    const auth = ringcentralAuth(env, t.customerId);
    const first = await grant(auth, creds(t));
    const wrong = await grant(auth, { ...creds(t), jwt: "eyJ.another.jwt" }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(Error);
    expect((wrong as Error).message).toMatch(/Invalid resource owner credentials/);
    expect((await grant(auth, creds(t))).accessToken).toBe(first.accessToken);
  });

  it("a wrong client secret is RingCentral's 401 with its errorCode, and nothing is cached", async () => {
    const t = await provisionRingCentral();
    const rest = new RingCentralRest(env, { ...t.account, clientSecret: "not-the-secret" });
    const e = await rest.listDevices().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e).toMatchObject({ service: "RingCentral", status: 401, code: "OAU-123" });
    expect(await apiRequests(t)).toHaveLength(0);
  });

  it("keeps the token in the object's storage encrypted, and uses it after the object restarts", async () => {
    const t = await provisionRingCentral();
    const auth = ringcentralAuth(env, t.customerId);
    const issued = await grant(auth, creds(t));
    const stored = await runInDurableObject(auth, async (_o, state) =>
      state.storage.kv.get<Record<string, unknown>>("token"),
    );
    expect(JSON.stringify(stored)).not.toContain(issued.accessToken);
    expect(String(stored?.accessTokenEnc)).toMatch(/^v1:/);
    // The object restarts (what an eviction or a deploy does): it reads the token back instead of asking again.
    await abortAllDurableObjects();
    const reread = await grant(ringcentralAuth(env, t.customerId), creds(t));
    expect(reread.accessToken).toBe(issued.accessToken);
    expect(await tokenRequests(t)).toHaveLength(1);
  });
});

describe("401 from RingCentral", () => {
  it("gets exactly one new token and one more attempt", async () => {
    const t = await provisionRingCentral();
    await setDevices(t, [{ id: "d1", status: "Online" }]);
    const rest = new RingCentralRest(env, t.account);
    await rest.listDevices();
    await failNext(t, { pathPattern: "/device$", status: 401 });
    const devices = await rest.listDevices();
    expect(devices.map((d) => d.id)).toEqual(["d1"]);
    expect((await apiRequests(t)).map((r) => r.status)).toEqual([200, 401, 200]);
    expect(await tokenRequests(t)).toHaveLength(2);
  });

  it("a second 401 is not retried again: one re-auth, then the error", async () => {
    const t = await provisionRingCentral();
    const rest = new RingCentralRest(env, t.account);
    await failNext(t, { pathPattern: "/device$", status: 401, times: 5 });
    const e = await rest.listDevices().catch((x: unknown) => x);
    expect(e).toMatchObject({ status: 401, code: "OAU-128" });
    expect(await apiRequests(t)).toHaveLength(2);
    expect(await tokenRequests(t)).toHaveLength(2);
  });

  it("concurrent 401s (the token revoked) share one re-auth, and every request succeeds", async () => {
    const t = await provisionRingCentral();
    await setDevices(t, [{ id: "d1", status: "Online" }]);
    const rest = new RingCentralRest(env, t.account);
    await rest.listDevices();
    await rcFake(`/apps/${t.account.clientId}`, { revokeTokens: true });
    const lists = await Promise.all(Array.from({ length: 5 }, () => rest.listDevices()));
    expect(lists.every((l) => l[0]?.id === "d1")).toBe(true);
    // One re-auth: the refresh token was revoked too, so it is the JWT grant after the refused refresh.
    expect((await tokenRequests(t)).map((r) => r.grantType)).toEqual([
      JWT_BEARER_GRANT,
      "refresh_token",
      JWT_BEARER_GRANT,
    ]);
  });
});
