/**
 * RingCentral end to end through the Worker's entry: provisioning and subscribing with the admin API (the fake's
 * handshake relayed into the Worker), the fake's notifications to the webhook, call control on the fake, the call in
 * the call-data API, the hourly cron through the scheduled handler, and the customer's purge.
 */
import { createScheduledController, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ringcentralSession } from "../../../src/carriers/ringcentral/session-object";
import { ringcentralAuth } from "../../../src/carriers/ringcentral/token-object";
import { getCallBySid } from "../../../src/db/calls";
import { getRingCentralSubscription } from "../../../src/db/ringcentral-subscriptions";
import { RINGCENTRAL_CRON } from "../../../src/lifecycle/scheduled";
import { admin, api, json, repToken } from "../../helpers";
import { eventually } from "../../live/stream-client";
import worker from "../../worker";
import {
  apiRequests,
  commands,
  failNext,
  notify,
  provisionRingCentral,
  rcFake,
  relayOne,
  ringCall,
  setDevices,
  type RcTenant,
} from "./helpers";

const DAY = 24 * 60 * 60 * 1000;

async function subscribed(opts: Parameters<typeof provisionRingCentral>[0] = {}) {
  const t = await provisionRingCentral(opts);
  const [res, handshake] = await Promise.all([
    admin(`/customers/${t.customerId}/ringcentral/subscription`, { method: "POST" }),
    relayOne(t.account.clientId),
  ]);
  expect(handshake.status).toBe(200);
  expect(res.status).toBe(201);
  return { t, subscriptionId: (await json<{ subscriptionId: string }>(res)).subscriptionId };
}

async function repOf(t: RcTenant) {
  const res = await admin(`/customers/${t.customerId}/reps`, { method: "POST", json: { name: "Desk" } });
  expect(res.status).toBe(201);
  return repToken((await json<{ id: number }>(res)).id);
}

const runCron = (scheduledTime: number) =>
  worker.scheduled(createScheduledController({ cron: RINGCENTRAL_CRON, scheduledTime }), env);

const storageKeys = (stub: DurableObjectStub) =>
  runInDurableObject(stub, (_o, state) => [...state.storage.kv.list()].map(([k]) => k));

interface VoiceCall {
  id: string;
  direction: string;
  carrier: string;
  state: string;
  startTime: string | null;
  durationSeconds: number | null;
}

describe("a RingCentral call through the Worker", () => {
  it("answered on Proceeding on the Online device, then in the call-data API, on a phone ticket, in analytics", async () => {
    const { t } = await subscribed();
    const token = await repOf(t);
    await setDevices(t, [
      { id: "801", status: "Offline" },
      { id: "802", status: "Online" },
    ]);
    const call = await ringCall(t, "+32470111222");
    const sid = call.telephonySessionId;
    const answers: string[] = [];
    for (const status of ["Setup", "Proceeding", "Answered", "Disconnected"]) {
      const r = await notify(t, { telephonySessionId: sid, status });
      expect(r.answered.status).toBe(200);
      answers.push(JSON.parse(r.answered.body).action);
    }
    expect(answers).toEqual(["none", "answer", "none", "none"]);
    expect(await commands(t)).toMatchObject([
      { action: "answer", telephonySessionId: sid, partyId: call.partyId, body: { deviceId: "802" } },
    ]);

    const row = await getCallBySid(env.DB, t.customerId, "ringcentral", sid);
    const list = await json<{ items: VoiceCall[]; total: number }>(
      await api("/api/v1/voice-calls?direction=Inbound", { token }),
    );
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({ id: row!.id, carrier: "ringcentral", state: "Completed" });
    expect(list.items[0]!.startTime).not.toBeNull();
    expect(list.items[0]!.durationSeconds).toBeGreaterThanOrEqual(0);
    expect((await api(`/api/v1/voice-calls/${row!.id}`, { token })).status).toBe(200);

    const ticket = await json<{ channel: string; phoneNumber: string }>(
      await api(`/api/tickets/${row!.ticket_id}`, { token }),
    );
    expect(ticket).toMatchObject({ channel: "phone", phoneNumber: "+32470111222" });
    const overview = await json<{ metrics: { total_calls: number; completed_calls: number } }>(
      await api("/api/voice/analytics/overview", { token }),
    );
    expect(overview.metrics).toMatchObject({ total_calls: 1, completed_calls: 1 });
  });

  it("forward-to-ai: Proceeding forwards the party to the AI line; the record ends Completed when it is Gone", async () => {
    const { t } = await subscribed({ mode: "forward-to-ai", aiLine: "+3225550100" });
    const call = await ringCall(t, "+32470333444");
    const sid = call.telephonySessionId;
    await notify(t, { telephonySessionId: sid, status: "Setup" });
    const ringing = await notify(t, { telephonySessionId: sid, status: "Proceeding" });
    expect(JSON.parse(ringing.answered.body)).toMatchObject({ outcome: "applied", action: "forward" });
    expect(await commands(t)).toMatchObject([
      { action: "forward", partyId: call.partyId, body: { phoneNumber: "+3225550100" } },
    ]);
    // The fake moved the party on (Gone, CallRedirected), as RingCentral does after a forward.
    await notify(t, { telephonySessionId: sid });
    expect(await getCallBySid(env.DB, t.customerId, "ringcentral", sid)).toMatchObject({
      state: "Completed",
      carrier: "ringcentral",
      from_number: "+32470333444",
    });
  });
});

describe("the hourly cron (the scheduled handler)", () => {
  it("renews subscriptions expiring within two days, not others, and skips deleted customers", async () => {
    const { t, subscriptionId } = await subscribed();
    const gone = await subscribed();
    // Deleted, its purge not run yet (the DELETE's queued purge would remove the row and hide what is tested).
    await env.DB.prepare("UPDATE customers SET deleted_at = ?2 WHERE id = ?1")
      .bind(gone.t.customerId, new Date().toISOString())
      .run();
    const renewals = async (x: RcTenant, id: string) =>
      (await apiRequests(x)).filter((r) => r.path === `/restapi/v1.0/subscription/${id}/renew`).length;

    await runCron(Date.now());
    expect(await renewals(t, subscriptionId)).toBe(0);
    // Six days on, the week-long subscription has less than two days left.
    await runCron(Date.now() + 6 * DAY);
    expect(await renewals(t, subscriptionId)).toBe(1);
    expect(await renewals(gone.t, gone.subscriptionId)).toBe(0);
    const row = await getRingCentralSubscription(env.DB, t.customerId);
    expect(row).toMatchObject({ subscription_id: subscriptionId, status: "Active" });
  });
});

describe("deleting a RingCentral customer", () => {
  it("stops its webhook at once, then cancels the subscription and empties its rows and objects", async () => {
    const { t, subscriptionId } = await subscribed();
    await setDevices(t, [{ id: "802", status: "Online" }]);
    const call = await ringCall(t);
    const sid = call.telephonySessionId;
    await notify(t, { telephonySessionId: sid, status: "Proceeding" });
    const session = ringcentralSession(env, t.customerId, sid);
    const auth = ringcentralAuth(env, t.customerId);
    expect(await storageKeys(session)).toEqual(["memory"]);
    expect(await storageKeys(auth)).toEqual(["token"]);

    expect((await admin(`/customers/${t.customerId}`, { method: "DELETE" })).status).toBe(202);
    const late = await notify(t, { telephonySessionId: sid, status: "Answered" });
    expect(late.answered.status).toBe(404);

    await eventually(
      () => getRingCentralSubscription(env.DB, t.customerId),
      (r) => r === null,
      "the subscription row to go",
      30_000,
    );
    expect(await rcFake(`/subscriptions?clientId=${t.account.clientId}`)).toEqual([]);
    expect(
      (await apiRequests(t)).filter((r) => r.method === "DELETE" && r.path.endsWith(`/subscription/${subscriptionId}`)),
    ).toHaveLength(1);
    expect(await getCallBySid(env.DB, t.customerId, "ringcentral", sid)).toBeNull();
    expect(await storageKeys(session)).toEqual([]);
    expect(await storageKeys(auth)).toEqual([]);
  });

  it("is purged even when RingCentral fails to cancel the subscription (it then ends unrenewed)", async () => {
    const { t } = await subscribed();
    await failNext(t, { pathPattern: "^/restapi/v1\\.0/subscription/[^/]+$", status: 503, times: 3 });
    expect((await admin(`/customers/${t.customerId}`, { method: "DELETE" })).status).toBe(202);
    await eventually(
      () => env.DB.prepare("SELECT id FROM customers WHERE id = ?1").bind(t.customerId).first(),
      (r) => r === null,
      "the customer to be purged",
      30_000,
    );
    expect(await getRingCentralSubscription(env.DB, t.customerId)).toBeNull();
    expect((await apiRequests(t)).filter((r) => r.method === "DELETE").map((r) => r.status)).toEqual([503, 503, 503]);
    expect(await rcFake(`/subscriptions?clientId=${t.account.clientId}`)).toHaveLength(1);
  });
});
