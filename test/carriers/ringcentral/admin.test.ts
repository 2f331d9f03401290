import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getCarrierAccount } from "../../../src/db/carrier-accounts";
import { getRingCentralSubscription } from "../../../src/db/ringcentral-subscriptions";
import { admin, api, hex, json } from "../../helpers";
import { provisionRingCentral, rcFake, relayOne, type RcTenant } from "./helpers";

const secrets = () => ({ clientId: `cid_${hex(6)}`, clientSecret: `cs_${hex(12)}`, jwt: `eyJ.${hex(20)}.sig` });

const fakeSubs = (t: RcTenant) =>
  rcFake<{ id: string; verificationToken: string }[]>(`/subscriptions?clientId=${t.account.clientId}`);

/** The admin call, with RingCentral's handshake (sent while it is open) relayed into the Worker. */
async function subscribe(t: RcTenant) {
  const [res, handshake] = await Promise.all([
    admin(`/customers/${t.customerId}/ringcentral/subscription`, { method: "POST" }),
    relayOne(t.account.clientId),
  ]);
  return { res, handshake, text: await res.text() };
}

describe("admin: a customer's RingCentral account", () => {
  it("PATCH provisions it: secrets encrypted and never returned, the AI line normalized, GET shows it", async () => {
    const created = await json<{ id: number; ringcentral: unknown }>(
      await admin("/customers", { method: "POST", json: { name: "RC admin" } }),
    );
    expect(created.ringcentral).toBeNull();
    const s = secrets();
    const res = await admin(`/customers/${created.id}`, {
      method: "PATCH",
      json: { ringcentral: { ...s, mode: "forward-to-ai", aiLine: "+32 2 555 01 00" } },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(s.clientSecret);
    expect(text).not.toContain(s.jwt);
    const shown = {
      clientId: s.clientId,
      mode: "forward-to-ai",
      aiLine: "+3225550100",
      hasClientSecret: true,
      hasJwt: true,
    };
    expect(JSON.parse(text).ringcentral).toEqual(shown);
    expect((await json<{ ringcentral: unknown }>(await admin(`/customers/${created.id}`))).ringcentral).toEqual(shown);
    const row = await getCarrierAccount(env.DB, created.id, "ringcentral");
    expect(row!.secrets_json).not.toContain(s.clientSecret);
    expect(row!.secrets_json).not.toContain(s.jwt);

    // A later PATCH changes only what it names.
    const answer = await admin(`/customers/${created.id}`, {
      method: "PATCH",
      json: { ringcentral: { mode: "answer" } },
    });
    expect((await json<{ ringcentral: unknown }>(answer)).ringcentral).toEqual({ ...shown, mode: "answer" });
  });

  it("names what is wrong or missing (400) and writes nothing", async () => {
    const { id } = await json<{ id: number }>(await admin("/customers", { method: "POST", json: { name: "RC bad" } }));
    const missing = await admin(`/customers/${id}`, { method: "PATCH", json: { ringcentral: { mode: "answer" } } });
    expect(missing.status).toBe(400);
    expect((await json<{ issues: { path: string }[] }>(missing)).issues.map((i) => i.path).sort()).toEqual([
      "ringcentral.clientId",
      "ringcentral.clientSecret",
      "ringcentral.jwt",
    ]);
    const badMode = await admin(`/customers/${id}`, {
      method: "PATCH",
      json: { ringcentral: { ...secrets(), mode: "pick-up" } },
    });
    expect(badMode.status).toBe(400);
    expect(JSON.stringify(await json(badMode))).toContain("ringcentral.mode");
    expect(await getCarrierAccount(env.DB, id, "ringcentral")).toBeNull();
    // SPEC.md's aiLine is optional: forward-to-ai without one uses the tenant's AI number (docs/ringcentral.md).
    const noLine = await admin(`/customers/${id}`, {
      method: "PATCH",
      json: { ringcentral: { ...secrets(), mode: "forward-to-ai" } },
    });
    expect(noLine.status).toBe(200);
    expect(await json(noLine)).toMatchObject({ ringcentral: { mode: "forward-to-ai", aiLine: null } });
  });
});

describe("admin: POST /api/admin/customers/{id}/ringcentral/subscription", () => {
  it("creates the subscription through the handshake (201), then renews it (200); the token is never shown", async () => {
    const t = await provisionRingCentral();
    const first = await subscribe(t);
    expect(first.handshake.status).toBe(200);
    expect(first.res.status).toBe(201);
    const [sub] = await fakeSubs(t);
    expect(JSON.parse(first.text)).toEqual({
      subscriptionId: sub!.id,
      status: "Active",
      expiresAt: expect.any(String),
      eventFilter: "/restapi/v1.0/account/~/extension/~/telephony/sessions",
      address: `https://voicedesk.test/api/webhooks/ringcentral/${t.customerId}`,
      action: "created",
    });
    expect(first.text).not.toContain(sub!.verificationToken);

    const again = await admin(`/customers/${t.customerId}/ringcentral/subscription`, { method: "POST" });
    expect(again.status).toBe(200);
    expect(await json(again)).toMatchObject({ subscriptionId: sub!.id, action: "renewed" });
    expect(await fakeSubs(t)).toHaveLength(1);
  });

  it("a handshake answered wrong is a 400 naming SUB-525; the row waits for the cron trigger", async () => {
    const t = await provisionRingCentral();
    const bad = (async () => {
      const d = await rcFake<{ id: string }>(`/outbox/next?clientId=${t.account.clientId}&timeoutMs=10000`);
      await rcFake(`/outbox/${d.id}`, { status: 404, headers: {}, body: "" });
    })();
    const [res] = await Promise.all([
      admin(`/customers/${t.customerId}/ringcentral/subscription`, { method: "POST" }),
      bad,
    ]);
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({
      error: "RingCentral rejected the subscription: WebHook server response is invalid",
      upstreamStatus: 400,
      upstreamCode: "SUB-525",
    });
    expect(await getRingCentralSubscription(env.DB, t.customerId)).toMatchObject({ status: "Pending" });
  });

  it("409 without a RingCentral account, 404 for another or no customer, 401 without the admin token", async () => {
    const { id } = await json<{ id: number }>(await admin("/customers", { method: "POST", json: { name: "no RC" } }));
    const none = await admin(`/customers/${id}/ringcentral/subscription`, { method: "POST" });
    expect(none.status).toBe(409);
    expect((await json<{ error: string }>(none)).error).toContain("no RingCentral account");
    expect((await admin("/customers/987654321/ringcentral/subscription", { method: "POST" })).status).toBe(404);
    expect((await admin("/customers/x/ringcentral/subscription", { method: "POST" })).status).toBe(400);
    const anon = await api(`/api/admin/customers/${id}/ringcentral/subscription`, { method: "POST" });
    expect(anon.status).toBe(401);
    expect(await getRingCentralSubscription(env.DB, id)).toBeNull();
  });
});
