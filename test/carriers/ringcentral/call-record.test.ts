import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callPatchFor, stateFor } from "../../../src/carriers/ringcentral/call-record";
import type { Policy } from "../../../src/carriers/ringcentral/decision";
import type { Party, TelephonyNotification } from "../../../src/carriers/ringcentral/notification";
import { ringcentralSession } from "../../../src/carriers/ringcentral/session-object";
import { getCallBySid } from "../../../src/db/calls";
import { getTicket } from "../../../src/db/tickets";
import { hex } from "../../helpers";
import { provisionRingCentral } from "./helpers";
import { partyOf } from "./parties";

const EXT = "400000000007";
const party = (code: string, over: Partial<Party> = {}) =>
  partyOf(EXT, code, { from: { phoneNumber: "+32 470 12 34 56" }, ...over });

describe("telephony status → call state", () => {
  it("maps every status, and Disconnected by whether the call was answered and why it ended", () => {
    expect(stateFor(party("Setup"), false)).toBe("Queued");
    expect(stateFor(party("Proceeding"), false)).toBe("Ringing");
    for (const code of ["Answered", "Hold", "Parked", "FaxReceive"])
      expect(stateFor(party(code), false)).toBe("InProgress");
    for (const code of ["VoiceMail", "VoiceMailScreening"]) expect(stateFor(party(code), false)).toBe("NoAnswer");
    expect(stateFor(party("Gone"), false)).toBe("Completed");
    expect(stateFor(party("Disconnected"), true)).toBe("Completed");
    expect(stateFor(party("Disconnected"), false)).toBe("NoAnswer");
    expect(stateFor(party("Disconnected", { status: { code: "Disconnected", reason: "TargetBusy" } }), false)).toBe(
      "Busy",
    );
    expect(stateFor(party("Disconnected", { status: { code: "Disconnected", reason: "Cancelled" } }), false)).toBe(
      "Canceled",
    );
    expect(stateFor(party("Disconnected", { status: { code: "Disconnected", reason: "InvalidNumber" } }), false)).toBe(
      "Failed",
    );
    expect(stateFor(party("Tds"), false)).toBeNull();
  });

  it("moves forward only, with the answer time as start and the end time with the duration", () => {
    const ringing = { state: "Ringing" as const, start_time: null, end_time: null };
    expect(callPatchFor(ringing, party("Setup"), "2026-05-01T10:00:00.000Z")).toBeNull();
    const answered = callPatchFor(ringing, party("Answered"), "2026-05-01T10:00:05.000Z");
    expect(answered).toEqual({ state: "InProgress", start_time: "2026-05-01T10:00:05.000Z" });
    const ended = callPatchFor(
      { state: "InProgress", start_time: "2026-05-01T10:00:05.000Z", end_time: null },
      party("Disconnected"),
      "2026-05-01T10:01:17.400Z",
    );
    expect(ended).toEqual({ state: "Completed", end_time: "2026-05-01T10:01:17.400Z", duration_seconds: 72 });
    expect(callPatchFor({ state: "Completed", start_time: null, end_time: "x" }, party("Answered"), "y")).toBeNull();
  });
});

describe("the session object keeps the call record", () => {
  const policy: Policy = { mode: "answer", aiLine: null };
  const at = (s: number) => new Date(Date.parse("2026-05-01T10:00:00Z") + s * 1000).toISOString();
  const note = (sid: string, sequence: number, p: Party, eventTime: string): TelephonyNotification => ({
    uuid: null,
    subscriptionId: null,
    ownerId: EXT,
    body: { sequence, telephonySessionId: sid, eventTime, parties: [p] },
  });

  it("Setup → Proceeding → Answered → Disconnected: one ringcentral call with its times and phone ticket", async () => {
    const t = await provisionRingCentral();
    const sid = `s-${hex(8)}`;
    const session = ringcentralSession(env, t.customerId, sid);
    const steps = [party("Setup"), party("Proceeding"), party("Answered"), party("Disconnected")];
    const applied = [];
    for (const [i, p] of steps.entries())
      applied.push(await session.apply(t.customerId, note(sid, i + 1, p, at(i * 10)), policy));
    expect(applied.map((a) => a.action.kind)).toEqual(["none", "answer", "none", "none"]);
    expect(new Set(applied.map((a) => a.callId)).size).toBe(1);
    const row = await getCallBySid(env.DB, t.customerId, "ringcentral", sid);
    expect(row).toMatchObject({
      id: applied[0]!.callId,
      carrier: "ringcentral",
      direction: "Inbound",
      state: "Completed",
      from_number: "+32470123456",
      to_number: "+3225550199",
      start_time: at(20),
      end_time: at(30),
      duration_seconds: 10,
    });
    const ticket = await getTicket(env.DB, t.customerId, row!.ticket_id!);
    expect(ticket).toMatchObject({ channel: "phone", phone_number: "+32470123456" });
  });

  it("duplicates and stale notifications change nothing in the record", async () => {
    const t = await provisionRingCentral();
    const sid = `s-${hex(8)}`;
    const session = ringcentralSession(env, t.customerId, sid);
    await session.apply(t.customerId, note(sid, 2, party("Proceeding"), at(1)), policy);
    await session.apply(t.customerId, note(sid, 4, party("Disconnected"), at(9)), policy);
    const before = await getCallBySid(env.DB, t.customerId, "ringcentral", sid);
    const stale = await session.apply(t.customerId, note(sid, 3, party("Answered"), at(5)), policy);
    const dup = await session.apply(t.customerId, note(sid, 4, party("Disconnected"), at(9)), policy);
    expect([stale.outcome, dup.outcome]).toEqual(["stale", "duplicate"]);
    const after = await getCallBySid(env.DB, t.customerId, "ringcentral", sid);
    expect(after).toEqual(before);
    expect(after).toMatchObject({ state: "NoAnswer", start_time: null, end_time: at(9) });
  });

  it("a session of another tenant is another object and another record", async () => {
    const [a, b] = [await provisionRingCentral(), await provisionRingCentral()];
    const sid = `s-${hex(8)}`;
    await ringcentralSession(env, a.customerId, sid).apply(a.customerId, note(sid, 1, party("Setup"), at(0)), policy);
    const second = await ringcentralSession(env, b.customerId, sid).apply(
      b.customerId,
      note(sid, 1, party("Setup"), at(0)),
      policy,
    );
    // The session id is taken (calls are unique per carrier and call id): b gets no record, a's is untouched.
    expect(second.callId).toBeNull();
    expect(await getCallBySid(env.DB, b.customerId, "ringcentral", sid)).toBeNull();
    expect(await getCallBySid(env.DB, a.customerId, "ringcentral", sid)).not.toBeNull();
  });

  it("forgets the session a day after its last notification (the alarm)", async () => {
    const t = await provisionRingCentral();
    const sid = `s-${hex(8)}`;
    const session = ringcentralSession(env, t.customerId, sid);
    await session.apply(t.customerId, note(sid, 1, party("Setup"), at(0)), policy);
    expect((await session.memory()).lastSequence).toBe(1);
    expect(await runDurableObjectAlarm(session)).toBe(true);
    expect((await session.memory()).lastSequence).toBeNull();
  });
});
