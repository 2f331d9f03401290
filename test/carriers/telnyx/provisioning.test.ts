import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, json, provisionTenant } from "../../helpers";
import { base64ToBytes, bytesToBase64, bytesToHex } from "../../../src/lib/encoding";
import { newTelnyxAccount } from "./helpers";
import { fakeTelnyxCall, legPayload, randomCaller, sendTelnyx, telnyxTenant } from "./tenant";

const patchTelnyx = (customerId: number, telnyx: Record<string, unknown>) =>
  admin(`/customers/${customerId}`, { method: "PATCH", json: { telnyx } });

describe("provisioning a tenant's Telnyx account (PATCH /api/admin/customers/{id})", () => {
  it("stores the API key encrypted and shows the connection and public key, never the API key", async () => {
    const t = await provisionTenant();
    const a = await newTelnyxAccount();
    const res = await patchTelnyx(t.customerId, {
      apiKey: a.apiKey,
      publicKey: a.publicKey,
      connectionId: a.connectionId,
    });
    expect(res.status).toBe(200);
    const body = await json<{ telnyx: unknown }>(res);
    expect(body.telnyx).toEqual({ connectionId: a.connectionId, publicKey: a.publicKey, hasApiKey: true });
    expect(JSON.stringify(await json(await admin(`/customers/${t.customerId}`)))).not.toContain(a.apiKey);
    const row = await env.DB.prepare("SELECT * FROM carrier_accounts WHERE customer_id = ?1 AND carrier = 'telnyx'")
      .bind(t.customerId)
      .first<{ secrets_json: string; account_ref: string }>();
    expect(row!.account_ref).toBe(a.connectionId);
    expect(row!.secrets_json).not.toContain(a.apiKey);
  });

  it("takes a PEM public key and keeps its canonical form; a later PATCH may change one field alone", async () => {
    const t = await provisionTenant();
    const a = await newTelnyxAccount();
    const res = await patchTelnyx(t.customerId, {
      apiKey: a.apiKey,
      publicKey: a.publicKeyPem,
      connectionId: a.connectionId,
    });
    expect((await json<{ telnyx: { publicKey: string } }>(res)).telnyx.publicKey).toBe(a.publicKey);
    const renamed = await patchTelnyx(t.customerId, { connectionId: "9999000011112222" });
    expect(renamed.status).toBe(200);
    expect((await json(renamed)).telnyx).toEqual({
      connectionId: "9999000011112222",
      publicKey: a.publicKey,
      hasApiKey: true,
    });
  });

  it("takes the key as base64url (a JWK's x) or hex, stores its canonical form, and webhooks verify with it", async () => {
    const t = await telnyxTenant({ welcome: null });
    const raw = base64ToBytes(t.telnyx.publicKey)!;
    const jwkX = t.telnyx.publicKey.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    for (const publicKey of [jwkX, bytesToHex(raw)]) {
      // Another key first, so the one under test is what makes the webhook verify.
      await patchTelnyx(t.customerId, { publicKey: bytesToBase64(new Uint8Array(32).fill(7)) });
      const res = await patchTelnyx(t.customerId, { publicKey });
      expect(res.status, publicKey).toBe(200);
      expect((await json<{ telnyx: { publicKey: string } }>(res)).telnyx.publicKey).toBe(t.telnyx.publicKey);
      const c = await fakeTelnyxCall(t, randomCaller(), "+15550003333");
      const hook = await sendTelnyx(t, {
        eventType: "call.initiated",
        payload: { ...legPayload(c), direction: "incoming" },
      });
      expect([hook.status, await json(hook)], publicKey).toEqual([
        200,
        expect.objectContaining({ handled: "recorded" }),
      ]);
    }
  });

  it("refuses a malformed public key, a missing field and another tenant's connection, writing nothing", async () => {
    const t = await provisionTenant();
    const a = await newTelnyxAccount();
    const count = async () =>
      (await env.DB.prepare("SELECT COUNT(*) AS n FROM carrier_accounts WHERE customer_id = ?1 AND carrier = 'telnyx'")
        .bind(t.customerId)
        .first<{ n: number }>())!.n;
    const jwk = JSON.stringify({ kty: "OKP", crv: "Ed25519", x: a.publicKey.replace(/=+$/, "") });
    for (const publicKey of ["not base64 at all!", btoa("too short"), btoa("x".repeat(64)), "ab".repeat(31), jwk]) {
      const res = await patchTelnyx(t.customerId, { apiKey: a.apiKey, publicKey, connectionId: a.connectionId });
      expect(res.status, publicKey).toBe(400);
      const issues = (await json<{ issues: { path: string }[] }>(res)).issues;
      expect(issues.map((i) => i.path)).toEqual(["telnyx.publicKey"]);
    }
    const partial = await patchTelnyx(t.customerId, { apiKey: a.apiKey });
    expect(partial.status).toBe(400);
    expect((await json<{ issues: { path: string }[] }>(partial)).issues.map((i) => i.path).sort()).toEqual([
      "telnyx.connectionId",
      "telnyx.publicKey",
    ]);
    expect(await count()).toBe(0);

    const other = await provisionTenant();
    const ok = await patchTelnyx(other.customerId, {
      apiKey: "KEYother",
      publicKey: a.publicKey,
      connectionId: a.connectionId,
    });
    expect(ok.status).toBe(200);
    const taken = await patchTelnyx(t.customerId, {
      apiKey: a.apiKey,
      publicKey: a.publicKey,
      connectionId: a.connectionId,
    });
    expect(taken.status).toBe(409);
    expect(await json(taken)).toEqual({ error: "Another customer already uses this Telnyx connection" });
    expect(await count()).toBe(0);
  });
});
