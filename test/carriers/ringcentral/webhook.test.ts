import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decryptSecret } from "../../../src/auth/crypto";
import type { ActionResult } from "../../../src/carriers/ringcentral/actions";
import { ringcentralSession } from "../../../src/carriers/ringcentral/session-object";
import { ensureSubscription } from "../../../src/carriers/ringcentral/subscription";
import { getCallBySid } from "../../../src/db/calls";
import { getRingCentralSubscription } from "../../../src/db/ringcentral-subscriptions";
import { handleRingCentralWebhook } from "../../../src/carriers/ringcentral/webhook";
import { admin, BASE } from "../../helpers";
import worker from "../../worker";
import {
  callWebhook,
  commands,
  failNext,
  notify,
  provisionRingCentral,
  relayOne,
  ringCall,
  setDevices,
  type RcTenant,
} from "./helpers";
import { partyOf } from "./parties";

const url = (customerId: number) => `${BASE}/api/webhooks/ringcentral/${customerId}`;

async function subscribed(opts: Parameters<typeof provisionRingCentral>[0] = {}) {
  const t = await provisionRingCentral(opts);
  await Promise.all([ensureSubscription(env, t.account, BASE), relayOne(t.account.clientId)]);
  const row = await getRingCentralSubscription(env.DB, t.customerId);
  return { t, token: await decryptSecret(env, row!.verification_token_enc) };
}

const callsOf = async (t: RcTenant) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM calls WHERE customer_id = ?1")
    .bind(t.customerId)
    .first<{ n: number }>())!.n;

const post = (customerId: number, headers: Record<string, string>, body: string) =>
  callWebhook(new Request(url(customerId), { method: "POST", headers, body }));

/** A notification of the fake's call, written out (the fake's notifier always numbers them and varies the uuid). */
const sessionNote = (
  t: RcTenant,
  call: { telephonySessionId: string; partyId: string },
  code: string,
  over: { uuid?: string; sequence?: number } = {},
) => ({
  uuid: over.uuid ?? crypto.randomUUID(),
  event: `/restapi/v1.0/account/1/extension/${t.extensionId}/telephony/sessions`,
  timestamp: new Date().toISOString(),
  subscriptionId: "sub-x",
  ownerId: t.extensionId,
  body: {
    ...(over.sequence === undefined ? {} : { sequence: over.sequence }),
    telephonySessionId: call.telephonySessionId,
    eventTime: new Date().toISOString(),
    parties: [partyOf(t.extensionId, code, { id: call.partyId })],
  },
});

describe("the validation handshake", () => {
  it("echoes Validation-Token with 200 and a tiny JSON body, writing nothing", async () => {
    const t = await provisionRingCentral();
    const r = await post(t.customerId, { "Validation-Token": "vt-0123456789abcdef" }, "");
    expect(r.status).toBe(200);
    expect(r.headers["validation-token"]).toBe("vt-0123456789abcdef");
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.body).toBe("{}");
    const size = r.body.length + Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
    expect(size).toBeLessThan(1024);
    expect(await callsOf(t)).toBe(0);
    expect(await getRingCentralSubscription(env.DB, t.customerId)).toBeNull();
  });

  it("an unknown customer is 404; a token that could not be echoed safely is 400", async () => {
    expect((await post(987654321, { "Validation-Token": "x" }, "")).status).toBe(404);
    const t = await provisionRingCentral();
    const r = await post(t.customerId, { "Validation-Token": "a".repeat(300) }, "");
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ error: "Validation-Token must be 1–256 visible characters" });
  });
});

describe("notifications", () => {
  it("answer mode: Setup does nothing, Proceeding answers on the Online device, the record follows", async () => {
    const { t } = await subscribed();
    await setDevices(t, [
      { id: "801", status: "Offline" },
      { id: "802", status: "Online" },
    ]);
    const call = await ringCall(t);
    const setup = await notify(t, { telephonySessionId: call.telephonySessionId, status: "Setup" });
    expect(setup.answered.status).toBe(200);
    expect(JSON.parse(setup.answered.body)).toMatchObject({ ok: true, outcome: "applied", action: "none" });
    expect(await commands(t)).toEqual([]);
    const ringing = await notify(t, { telephonySessionId: call.telephonySessionId, status: "Proceeding" });
    expect(JSON.parse(ringing.answered.body)).toMatchObject({ outcome: "applied", action: "answer" });
    expect(await commands(t)).toMatchObject([{ action: "answer", partyId: call.partyId, body: { deviceId: "802" } }]);
    expect(await getCallBySid(env.DB, t.customerId, "ringcentral", call.telephonySessionId)).toMatchObject({
      state: "Ringing",
      direction: "Inbound",
      from_number: "+32470123456",
    });
    await notify(t, { telephonySessionId: call.telephonySessionId, status: "Answered" });
    await notify(t, { telephonySessionId: call.telephonySessionId, status: "Disconnected" });
    const row = await getCallBySid(env.DB, t.customerId, "ringcentral", call.telephonySessionId);
    expect(row).toMatchObject({ state: "Completed" });
    expect(row!.start_time).not.toBeNull();
    expect(row!.ticket_id).not.toBeNull();
  });

  it("a redelivered notification and a stale one change nothing (no second answer)", async () => {
    const { t } = await subscribed();
    await setDevices(t, [{ id: "802", status: "Online" }]);
    const call = await ringCall(t);
    await notify(t, { telephonySessionId: call.telephonySessionId, status: "Proceeding", sequence: 2 });
    const dup = await notify(t, { telephonySessionId: call.telephonySessionId, status: "Proceeding", sequence: 2 });
    const stale = await notify(t, { telephonySessionId: call.telephonySessionId, status: "Setup", sequence: 1 });
    expect(JSON.parse(dup.answered.body)).toMatchObject({ outcome: "duplicate", action: "none" });
    expect(JSON.parse(stale.answered.body)).toMatchObject({ outcome: "stale", action: "none" });
    expect(await commands(t)).toHaveLength(1);
    expect(await getCallBySid(env.DB, t.customerId, "ringcentral", call.telephonySessionId)).toMatchObject({
      state: "Ringing",
    });
  });

  it("Setup and Proceeding with the same sequence (a sender that does not advance it): answered once", async () => {
    const { t } = await subscribed();
    await setDevices(t, [{ id: "802", status: "Online" }]);
    const call = await ringCall(t);
    const sid = call.telephonySessionId;
    const setup = await notify(t, { telephonySessionId: sid, status: "Setup", sequence: 1 });
    expect(JSON.parse(setup.answered.body)).toMatchObject({ outcome: "applied", action: "none" });
    const ringing = await notify(t, { telephonySessionId: sid, status: "Proceeding", sequence: 1 });
    expect(JSON.parse(ringing.answered.body)).toMatchObject({ outcome: "applied", action: "answer" });
    expect(await commands(t)).toMatchObject([{ action: "answer", partyId: call.partyId, body: { deviceId: "802" } }]);
    const again = await notify(t, { telephonySessionId: sid, status: "Proceeding", sequence: 1 });
    expect(JSON.parse(again.answered.body)).toMatchObject({ outcome: "duplicate", action: "none" });
    expect(await commands(t)).toHaveLength(1);
    expect(await getCallBySid(env.DB, t.customerId, "ringcentral", sid)).toMatchObject({ state: "Ringing" });
  });

  it("without a sequence: accepted and answered; a redelivery (same uuid) is a duplicate, no second answer", async () => {
    const { t } = await subscribed();
    await setDevices(t, [{ id: "802", status: "Online" }]);
    const call = await ringCall(t);
    const setup = await notify(t, { raw: sessionNote(t, call, "Setup") });
    expect(setup.answered.status).toBe(200);
    expect(JSON.parse(setup.answered.body)).toMatchObject({ outcome: "applied", action: "none" });
    const ringing = sessionNote(t, call, "Proceeding");
    const first = await notify(t, { raw: ringing });
    expect(JSON.parse(first.answered.body)).toMatchObject({ outcome: "applied", action: "answer" });
    const redelivered = await notify(t, { raw: ringing });
    expect(JSON.parse(redelivered.answered.body)).toMatchObject({ outcome: "duplicate", action: "none" });
    // Another Proceeding (a new uuid, still no sequence): applied, but the party was answered already.
    const another = await notify(t, { raw: sessionNote(t, call, "Proceeding") });
    expect(JSON.parse(another.answered.body)).toMatchObject({ outcome: "applied", action: "none" });
    expect(await commands(t)).toHaveLength(1);
    expect((await ringcentralSession(env, t.customerId, call.telephonySessionId).memory()).recentUuids).toContain(
      ringing.uuid,
    );
  });

  it("out of order: Answered (3) before Proceeding (2) — the late Proceeding is not acted on", async () => {
    const { t } = await subscribed();
    await setDevices(t, [{ id: "802", status: "Online" }]);
    const call = await ringCall(t);
    await notify(t, { telephonySessionId: call.telephonySessionId, status: "Answered", sequence: 3 });
    const late = await notify(t, { telephonySessionId: call.telephonySessionId, status: "Proceeding", sequence: 2 });
    expect(JSON.parse(late.answered.body)).toMatchObject({ outcome: "stale", action: "none" });
    expect(await commands(t)).toEqual([]);
  });

  it("no Online device: the call is left ringing (nothing sent to call control)", async () => {
    const { t } = await subscribed();
    await setDevices(t, [{ id: "801", status: "Offline" }]);
    const call = await ringCall(t);
    const r = await notify(t, { telephonySessionId: call.telephonySessionId, status: "Proceeding" });
    expect(JSON.parse(r.answered.body)).toMatchObject({ action: "answer" });
    expect(await commands(t)).toEqual([]);
  });

  it("forward-to-ai: Proceeding forwards the party to the AI line", async () => {
    const { t } = await subscribed({ mode: "forward-to-ai", aiLine: "+3225550100" });
    const call = await ringCall(t);
    await notify(t, { telephonySessionId: call.telephonySessionId, status: "Proceeding" });
    expect(await commands(t)).toMatchObject([
      { action: "forward", partyId: call.partyId, body: { phoneNumber: "+3225550100" } },
    ]);
  });
});

describe("the action and the webhook's answer", () => {
  it("call control was asked by the time the webhook answers (a 503 and its 0.5 s retry included)", async () => {
    const { t, token } = await subscribed();
    await setDevices(t, [{ id: "802", status: "Online" }]);
    const call = await ringCall(t);
    // The answer takes a retry after a 503 (a real 0.5 s backoff): no harness could look in between by luck.
    await failNext(t, { pathPattern: "/answer$", status: 503 });
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(url(t.customerId), {
        method: "POST",
        headers: { "Content-Type": "application/json", "Verification-Token": token },
        body: JSON.stringify(sessionNote(t, call, "Proceeding", { sequence: 1 })),
      }) as Request<unknown, IncomingRequestCfProperties>,
      env,
      ctx,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, outcome: "applied", action: "answer" });
    // Before the execution context's leftover work is waited for: the answer must already be at the fake.
    expect(await commands(t)).toMatchObject([{ action: "answer", partyId: call.partyId, body: { deviceId: "802" } }]);
    await waitOnExecutionContext(ctx);
    expect(await commands(t)).toHaveLength(1);
  });

  it("an action slower than the bound: the webhook answers at the bound, the action finishes after it", async () => {
    const { t, token } = await subscribed({ mode: "forward-to-ai", aiLine: "+3225550100" });
    const call = await ringCall(t);
    await failNext(t, { pathPattern: "/forward$", status: 503 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const later: Promise<ActionResult>[] = [];
    const request = new Request(url(t.customerId), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Verification-Token": token },
      body: JSON.stringify(sessionNote(t, call, "Proceeding", { sequence: 1 })),
    });
    const res = await handleRingCentralWebhook(env, request, t.account, {
      waitUntil: (p) => void later.push(p),
      actionWaitMs: 50,
      // The retry after the 503 waits until released: the action is still running when the webhook answers.
      retry: { sleep: () => held },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, outcome: "applied", action: "forward" });
    expect(later).toHaveLength(1);
    expect(await commands(t)).toEqual([]);
    release();
    expect(await later[0]).toEqual({ kind: "forwarded", phoneNumber: "+3225550100" });
    expect(await commands(t)).toMatchObject([{ action: "forward", body: { phoneNumber: "+3225550100" } }]);
  });
});

describe("forward-to-ai without an aiLine (SPEC.md's aiLine is optional)", () => {
  it("forwards to the tenant's first number an assistant answers; with none the call is left ringing", async () => {
    const { t } = await subscribed({ mode: "forward-to-ai", aiLine: null });
    const first = await ringCall(t);
    await notify(t, { telephonySessionId: first.telephonySessionId, status: "Proceeding" });
    expect(await commands(t)).toEqual([]);

    const a = await admin(`/customers/${t.customerId}/assistants`, {
      method: "POST",
      json: { name: "AI line", instructions: "Help." },
    });
    const { id: assistantId } = (await a.json()) as { id: number };
    await admin(`/customers/${t.customerId}/phone-numbers`, {
      method: "POST",
      json: { number: "+3225550199", assistantId },
    });
    const second = await ringCall(t, "+32470123457");
    await notify(t, { telephonySessionId: second.telephonySessionId, status: "Proceeding" });
    expect(await commands(t)).toMatchObject([
      { action: "forward", partyId: second.partyId, body: { phoneNumber: "+3225550199" } },
    ]);
  });
});

describe("verification", () => {
  async function refused(t: RcTenant, r: { answered: { status: number; body: string } }, sid: string) {
    expect(r.answered.status).toBe(403);
    expect(JSON.parse(r.answered.body)).toEqual({ error: "Missing or wrong Verification-Token" });
    expect(await callsOf(t)).toBe(0);
    expect((await ringcentralSession(env, t.customerId, sid).memory()).lastSequence).toBeNull();
    expect(await commands(t)).toEqual([]);
  }

  it("a wrong or missing Verification-Token is 403 and nothing is written or done", async () => {
    const { t } = await subscribed();
    await setDevices(t, [{ id: "802", status: "Online" }]);
    const call = await ringCall(t);
    const sid = call.telephonySessionId;
    await refused(
      t,
      await notify(t, { telephonySessionId: sid, status: "Proceeding", verificationToken: "guess" }),
      sid,
    );
    await refused(t, await notify(t, { telephonySessionId: sid, status: "Proceeding", verificationToken: null }), sid);
  });

  it("another tenant's token does not open this tenant's webhook; nor does a customer without a subscription", async () => {
    const a = await subscribed();
    const b = await subscribed();
    const body = JSON.stringify({ event: "/restapi/v1.0/account/1/extension/2/telephony/sessions", body: {} });
    const json = { "Content-Type": "application/json" };
    expect((await post(a.t.customerId, { ...json, "Verification-Token": b.token }, body)).status).toBe(403);
    const c = await provisionRingCentral();
    expect((await post(c.customerId, { ...json, "Verification-Token": a.token }, body)).status).toBe(403);
    expect(await callsOf(a.t)).toBe(0);
  });

  it("verified but malformed: 400 naming the field; not JSON: 400; too large: 413; other events: 200, ignored", async () => {
    const { t, token } = await subscribed();
    const h = { "Content-Type": "application/json", "Verification-Token": token };
    const event = `/restapi/v1.0/account/1/extension/${t.extensionId}/telephony/sessions`;
    const bad = await post(t.customerId, h, JSON.stringify({ event, body: { sequence: "x", parties: [] } }));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "sequence" }),
        expect.objectContaining({ path: "telephonySessionId" }),
      ]),
    );
    expect((await post(t.customerId, h, "{not json")).status).toBe(400);
    expect((await post(t.customerId, h, JSON.stringify({ event, body: "x".repeat(70_000) }))).status).toBe(413);
    const reminder = await post(
      t.customerId,
      h,
      JSON.stringify({ event: "/restapi/v1.0/subscription/~?threshold=60", body: {} }),
    );
    expect(reminder.status).toBe(200);
    expect(JSON.parse(reminder.body)).toEqual({ ok: true, ignored: "not a telephony-session event" });
    expect(await callsOf(t)).toBe(0);
  });
});
