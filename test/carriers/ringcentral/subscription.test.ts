import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  EVENT_FILTER,
  ensureSubscription,
  renewDueSubscriptions,
  SUBSCRIPTION_TTL_S,
} from "../../../src/carriers/ringcentral/subscription";
import { decryptSecret } from "../../../src/auth/crypto";
import { getRingCentralSubscription } from "../../../src/db/ringcentral-subscriptions";
import { UpstreamError } from "../../../src/lib/upstream";
import { apiRequests, provisionRingCentral, rcFake, relayOne, type RcTenant } from "./helpers";

const ORIGIN = "https://voicedesk.test";
const DAY = 24 * 60 * 60 * 1000;

interface FakeSub {
  id: string;
  deliveryMode: { transportType: string; address: string };
  eventFilters: string[];
  expirationTime: string;
  verificationToken: string | null;
}
const fakeSubs = (t: RcTenant) => rcFake<FakeSub[]>(`/subscriptions?clientId=${t.account.clientId}`);

/** Creates the subscription; RingCentral's handshake reaches our webhook through the fake's outbox. */
async function subscribe(t: RcTenant) {
  const [view, handshake] = await Promise.all([
    ensureSubscription(env, t.account, ORIGIN),
    relayOne(t.account.clientId),
  ]);
  return { view, handshake };
}

describe("subscription create", () => {
  it("subscribes to the extension's telephony sessions, passing the handshake, and stores the token encrypted", async () => {
    const t = await provisionRingCentral();
    const { view, handshake } = await subscribe(t);
    expect(handshake.status).toBe(200);
    const [sub] = await fakeSubs(t);
    expect(view).toEqual({
      subscriptionId: sub!.id,
      status: "Active",
      expiresAt: sub!.expirationTime,
      eventFilter: EVENT_FILTER,
      address: `${ORIGIN}/api/webhooks/ringcentral/${t.customerId}`,
      action: "created",
    });
    expect(sub).toMatchObject({
      deliveryMode: { transportType: "WebHook", address: view.address },
      eventFilters: [EVENT_FILTER],
    });
    const expiresIn = (Date.parse(sub!.expirationTime) - Date.now()) / 1000;
    expect(expiresIn).toBeGreaterThan(SUBSCRIPTION_TTL_S - 60);
    const row = await getRingCentralSubscription(env.DB, t.customerId);
    expect(row).toMatchObject({ subscription_id: sub!.id, status: "Active", expires_at: sub!.expirationTime });
    expect(row!.verification_token_enc).toMatch(/^v1:/);
    expect(row!.verification_token_enc).not.toContain(sub!.verificationToken);
    expect(await decryptSecret(env, row!.verification_token_enc)).toBe(sub!.verificationToken);
    expect(sub!.verificationToken).toMatch(/^[0-9a-f]{48}$/);
  });

  it("a handshake answered wrong fails the creation like RingCentral (SUB-525); the cron trigger tries again", async () => {
    const t = await provisionRingCentral();
    const bad = (async () => {
      const d = await rcFake<{ id: string }>(`/outbox/next?clientId=${t.account.clientId}&timeoutMs=10000`);
      await rcFake(`/outbox/${d.id}`, { status: 200, headers: { "content-type": "application/json" }, body: "{}" });
    })();
    const [e] = await Promise.all([ensureSubscription(env, t.account, ORIGIN).catch((x: unknown) => x), bad]);
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e).toMatchObject({ status: 400, code: "SUB-525" });
    expect(await getRingCentralSubscription(env.DB, t.customerId)).toMatchObject({
      subscription_id: null,
      status: "Pending",
    });
    expect(await fakeSubs(t)).toEqual([]);
    // Ten minutes on, the cron trigger finds the failed creation and creates it (passing the handshake this time).
    const [report] = await Promise.all([
      renewDueSubscriptions(env, Date.now() + 11 * 60 * 1000),
      relayOne(t.account.clientId),
    ]);
    expect(report.created).toBeGreaterThanOrEqual(1);
    expect(await getRingCentralSubscription(env.DB, t.customerId)).toMatchObject({ status: "Active" });
    expect(await fakeSubs(t)).toHaveLength(1);
  });
});

describe("subscription renewal", () => {
  it("the admin call on a live subscription renews it, keeping its token", async () => {
    const t = await provisionRingCentral();
    const { view } = await subscribe(t);
    const before = await getRingCentralSubscription(env.DB, t.customerId);
    const again = await ensureSubscription(env, t.account, ORIGIN);
    expect(again).toMatchObject({ action: "renewed", subscriptionId: view.subscriptionId });
    const after = await getRingCentralSubscription(env.DB, t.customerId);
    expect(after!.verification_token_enc).toBe(before!.verification_token_enc);
    expect((await apiRequests(t)).map((r) => r.path)).toContain(
      `/restapi/v1.0/subscription/${view.subscriptionId}/renew`,
    );
  });

  it("the cron trigger renews what expires within two days, and leaves the rest", async () => {
    const t = await provisionRingCentral();
    const { view } = await subscribe(t);
    const renewPath = `/restapi/v1.0/subscription/${view.subscriptionId}/renew`;
    const renewals = async () => (await apiRequests(t)).filter((r) => r.path === renewPath).length;
    await renewDueSubscriptions(env, Date.now());
    expect(await renewals()).toBe(0);
    // Six days on, the week-long subscription has less than two days left: renewed.
    const report = await renewDueSubscriptions(env, Date.now() + 6 * DAY);
    expect(report.renewed).toBeGreaterThanOrEqual(1);
    expect(report.failed).toBe(0);
    expect(await renewals()).toBe(1);
    const row = await getRingCentralSubscription(env.DB, t.customerId);
    expect(row).toMatchObject({ subscription_id: view.subscriptionId, status: "Active" });
    expect(Date.parse(row!.expires_at!)).toBeGreaterThanOrEqual(Date.parse(view.expiresAt));
  });

  it("a subscription RingCentral no longer has (404) is created anew, with a new token", async () => {
    const t = await provisionRingCentral();
    const { view } = await subscribe(t);
    const before = await getRingCentralSubscription(env.DB, t.customerId);
    await rcFake(`/subscriptions/${view.subscriptionId}`, undefined, "DELETE");
    const [report] = await Promise.all([
      renewDueSubscriptions(env, Date.now() + 6 * DAY),
      relayOne(t.account.clientId),
    ]);
    expect(report.created).toBeGreaterThanOrEqual(1);
    const [sub] = await fakeSubs(t);
    const row = await getRingCentralSubscription(env.DB, t.customerId);
    expect(row).toMatchObject({ subscription_id: sub!.id, status: "Active" });
    expect(sub!.id).not.toBe(view.subscriptionId);
    expect(row!.verification_token_enc).not.toBe(before!.verification_token_enc);
    expect(await decryptSecret(env, row!.verification_token_enc)).toBe(sub!.verificationToken);
  });
});
