import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { twilioPost } from "../carriers/twilio/helpers";
import { admin, api, repToken } from "../helpers";
import { startCall, twilioDriver } from "../live/drivers";
import { assistantTenant, callStub } from "../live/live-helpers";
import { eventually } from "../live/stream-client";
import { countOf, recordedTwilioCall, tenantTables, twilioRecordingDeletes } from "./helpers";

describe("deleting a customer", () => {
  it("is gone at once for every lookup, then purged everywhere: every table, R2, live objects, Twilio's copies", async () => {
    const t = await assistantTenant({ welcome: null });
    const recorded = await recordedTwilioCall(t);
    const live = await startCall(twilioDriver, t);
    for (let i = 0; i < 3; i++) live.tc.media();
    live.tc.stop(t.accountSid);
    await eventually(
      () => countOf("recordings", t.customerId),
      (n) => n === 2,
      "the live call's recording",
    );
    // Rows that point at others of the tenant: a campaign with contacts, the inbound fallback's assistant.
    const patched = await admin(`/customers/${t.customerId}`, {
      method: "PATCH",
      json: { inboundToRep: { ringSeconds: 15, noAnswer: "assistant", assistantId: t.assistantId } },
    });
    expect(patched.status).toBe(200);
    const campaign = (await (
      await admin(`/customers/${t.customerId}/campaigns`, {
        method: "POST",
        json: { name: "Spring", assistantId: t.assistantId },
      })
    ).json()) as { id: number };
    const contacts = await api(`/api/v1/campaigns/${campaign.id}/contacts`, {
      method: "POST",
      token: await repToken(t.repId, { scope: "campaigns:write voice:read" }),
      json: [{ number: "+32470123456" }],
    });
    expect(contacts.status).toBeLessThan(300);
    expect(await countOf("campaign_contacts", t.customerId)).toBe(1);
    const tables = await tenantTables();

    const res = await admin(`/customers/${t.customerId}`, { method: "DELETE" });
    expect(res.status).toBe(202);
    expect((await admin(`/customers/${t.customerId}`)).status).toBe(404);
    expect((await api("/api/me", { token: t.token })).status).toBe(401);
    const webhook = await twilioPost(
      "/twiml",
      { AccountSid: t.accountSid, CallSid: `CA${"0".repeat(32)}`, From: "+32470000001", To: t.assistantNumber },
      t.authToken,
    );
    expect(webhook.status).toBe(403);

    const left = async () => {
      const counts: Record<string, number> = {};
      for (const table of tables) counts[table] = await countOf(table, t.customerId);
      return counts;
    };
    const remaining = await eventually(
      left,
      (c) => Object.values(c).every((n) => n === 0),
      "every row of the tenant to go",
      30_000,
    );
    expect(Object.values(remaining).every((n) => n === 0)).toBe(true);
    expect(await env.DB.prepare("SELECT id FROM customers WHERE id = ?1").bind(t.customerId).first()).toBeNull();
    expect((await env.RECORDINGS.list({ prefix: `recordings/${t.customerId}/` })).objects).toEqual([]);
    expect(await twilioRecordingDeletes(t)).toEqual([
      `/2010-04-01/Accounts/${t.accountSid}/Recordings/${recorded.recordingSid}.json`,
    ]);
    expect(await runInDurableObject(callStub(live.callSid), (_o, state) => [...state.storage.kv.list()].length)).toBe(
      0,
    );
    expect((await admin(`/customers/${t.customerId}`, { method: "DELETE" })).status).toBe(404);
  });
});
