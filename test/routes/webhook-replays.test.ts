import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { phoneTicketFor } from "../../src/db/tickets";
import { callObject } from "../../src/live/entry";
import { drivers, startCall } from "../live/drivers";
import { assistantTenant, newCallSid, parseStreamTwiml, postTwilio, realtimeState } from "../live/live-helpers";
import { eventually } from "../live/stream-client";
import { twilioPost } from "../carriers/twilio/helpers";

const count = async (sql: string, ...args: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...args)
    .first<{ n: number }>())!.n;
const phoneTickets = (customerId: number, number: string) =>
  count("SELECT COUNT(*) AS n FROM tickets WHERE customer_id = ?1 AND phone_number = ?2", customerId, number);

describe("concurrent identical webhook deliveries", () => {
  it("/twiml: parallel deliveries of one call make one call record and one ticket, and answer alike", async () => {
    const t = await assistantTenant({ welcome: null });
    const callSid = newCallSid();
    const caller = "+32470880001";
    const fields = { CallSid: callSid, From: caller, To: t.assistantNumber, Direction: "inbound" };
    const answers = await Promise.all(Array.from({ length: 8 }, () => postTwilio(t, "/twiml", fields)));
    const parsed = await Promise.all(answers.map(async (r) => parseStreamTwiml(await r.text())));
    expect(new Set(parsed.map((p) => p.parameters.CallId)).size).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM calls WHERE call_sid = ?1", callSid)).toBe(1);
    expect(await phoneTickets(t.customerId, caller)).toBe(1);
  });

  it("/twiml: parallel calls from one number join one open phone ticket", async () => {
    const t = await assistantTenant({ welcome: null });
    const caller = "+32470880002";
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        postTwilio(t, "/twiml", { CallSid: newCallSid(), From: caller, To: t.assistantNumber, Direction: "inbound" }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(await phoneTickets(t.customerId, caller)).toBe(1);
    const tickets = await env.DB.prepare(
      "SELECT COUNT(DISTINCT ticket_id) AS n FROM calls WHERE customer_id = ?1 AND from_number = ?2",
    )
      .bind(t.customerId, caller)
      .first<{ n: number }>();
    expect(tickets!.n).toBe(1);
  });

  it("phoneTicketFor: concurrent calls for one number find or make one ticket", async () => {
    const t = await assistantTenant({ welcome: null });
    const caller = "+32470880004";
    const made = await Promise.all(
      Array.from({ length: 10 }, () => phoneTicketFor(env.DB, t.customerId, caller, null, `Call with ${caller}`)),
    );
    expect(new Set(made.map((m) => m.id)).size).toBe(1);
    expect(made[0]).toMatchObject({ channel: "phone", status: "open", phone_number: caller });
    expect(await phoneTickets(t.customerId, caller)).toBe(1);
  });

  it("/voice: parallel deliveries of one translated call make one call record and one ticket", async () => {
    const t = await assistantTenant({ welcome: null });
    const callSid = newCallSid();
    const to = "+32470880003";
    const form = {
      AccountSid: t.accountSid,
      CallSid: callSid,
      FromNumber: t.repNumber,
      To: to,
      RepID: String(t.repId),
      Translate: "true",
      CallerLanguage: "en-US",
      ReceiverLanguage: "fr-FR",
    };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => twilioPost("/api/TwilioCalls/voice", form, t.authToken)),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(await count("SELECT COUNT(*) AS n FROM calls WHERE call_sid = ?1", callSid)).toBe(1);
    expect(await phoneTickets(t.customerId, to)).toBe(1);
  });
});

describe.each(drivers)("a replayed prepare on $carrier", (driver) => {
  it("leaves the alarm of a call under way where it was", async () => {
    const t = await assistantTenant({ welcome: null });
    const { tc, stub, callSid, parameters } = await startCall(driver, t, { configure: { silenceTimeoutMs: 600_000 } });
    tc.media();
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections[0]?.appends === 1,
      "the stream to be bridged",
    );
    const alarm = () => runInDurableObject(stub, (_o, state) => state.storage.getAlarm());
    const before = await alarm();
    expect(before).toBeGreaterThan(Date.now() + 300_000);
    const replays = await Promise.all(
      [1, 2, 3].map(() => callObject(env, callSid).prepare(driver.carrier, parameters)),
    );
    expect(replays).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(await alarm()).toBe(before);
    expect((await realtimeState(t.openaiKey!)).connections).toHaveLength(1);
    tc.stop(t.accountSid);
  });
});
