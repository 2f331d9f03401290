import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { upsertTwilioCall } from "../../../src/carriers/twilio/call-record";
import { hex, provisionTenant } from "../../helpers";

describe("upsertTwilioCall", () => {
  it("two simultaneous deliveries of one CallSid: one creates the call, the other updates that same call", async () => {
    const t = await provisionTenant();
    const callSid = `CA${hex(16)}`;
    const fields = {
      repId: t.repId,
      fromNumber: t.repNumber,
      endUserNumber: "+32470880009",
      mode: "plain",
      initialState: "Queued",
    } as const;
    // Both look the SID up before either has written it; the loser's insert hits the unique index.
    const [a, b] = await Promise.all([
      upsertTwilioCall(env.DB, t.customerId, callSid, fields),
      upsertTwilioCall(env.DB, t.customerId, callSid, fields),
    ]);
    expect(a.id).toBe(b.id);
    expect(a.ticket_id).not.toBeNull();
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM calls WHERE call_sid = ?1")
      .bind(callSid)
      .first<{ n: number }>();
    expect(n?.n).toBe(1);
  });

  it("refuses a CallSid another tenant recorded (409), leaving its call untouched", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const callSid = `CA${hex(16)}`;
    const fields = (t: typeof a) =>
      ({
        repId: t.repId,
        fromNumber: t.repNumber,
        endUserNumber: "+32470880010",
        mode: "plain",
        initialState: "Queued",
      }) as const;
    const theirs = await upsertTwilioCall(env.DB, a.customerId, callSid, fields(a));
    await expect(upsertTwilioCall(env.DB, b.customerId, callSid, fields(b))).rejects.toMatchObject({ status: 409 });
    const row = await env.DB.prepare("SELECT customer_id, rep_id FROM calls WHERE id = ?1").bind(theirs.id).first();
    expect(row).toEqual({ customer_id: a.customerId, rep_id: a.repId });
  });
});
