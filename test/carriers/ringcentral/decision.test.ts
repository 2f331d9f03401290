import { describe, expect, it } from "vitest";
import {
  decide,
  emptyMemory,
  RECENT_UUIDS,
  type Policy,
  type SessionMemory,
} from "../../../src/carriers/ringcentral/decision";
import type { Party, TelephonyNotification } from "../../../src/carriers/ringcentral/notification";
import { partyOf } from "./parties";

const OWNER = "400000000001";
const answerMode: Policy = { mode: "answer", aiLine: null };
const aiMode: Policy = { mode: "forward-to-ai", aiLine: "+3225550100" };

const party = (code: string, over: Partial<Party> = {}) => partyOf(OWNER, code, over);

let uuids = 0;
/** A notification as RingCentral sends it: each one with its own envelope uuid unless told (a redelivery). */
const note = (
  sequence: number | undefined,
  parties: Party[],
  ownerId: string | null = OWNER,
  uuid: string | null = `u-${++uuids}`,
): TelephonyNotification => ({
  uuid,
  subscriptionId: "sub-1",
  ownerId,
  body: { sequence, telephonySessionId: "s-1", parties },
});

/** Applies notifications in the given order, as the session object does; returns each decision. */
function run(policy: Policy, notes: TelephonyNotification[], memory: SessionMemory = emptyMemory()) {
  return notes.map((n) => {
    const d = decide(n, memory, policy);
    memory = d.memory;
    return d;
  });
}

describe("decide", () => {
  it("answers an inbound party of our extension on Proceeding, never on Setup", () => {
    const [setup, proceeding] = run(answerMode, [note(1, [party("Setup")]), note(2, [party("Proceeding")])]);
    expect(setup!.outcome).toBe("applied");
    expect(setup!.action).toEqual({ kind: "none", why: "party status Setup: we act on Proceeding only" });
    expect(proceeding!.action).toEqual({
      kind: "answer",
      telephonySessionId: "s-1",
      partyId: "p-1",
      extensionId: OWNER,
    });
    expect(proceeding!.memory).toMatchObject({ lastSequence: 2, parties: { "p-1": "Proceeding" }, handled: ["p-1"] });
  });

  it("a status that is not Proceeding (Ringing is presence's word, not a telephony status) does nothing", () => {
    for (const code of ["Ringing", "Answered", "Disconnected", "Hold", "VoiceMail"])
      expect(decide(note(1, [party(code)]), emptyMemory(), answerMode).action.kind).toBe("none");
  });

  it("forward-to-ai forwards the party to the AI line; without an AI line it does nothing", () => {
    expect(decide(note(1, [party("Proceeding")]), emptyMemory(), aiMode).action).toEqual({
      kind: "forward",
      telephonySessionId: "s-1",
      partyId: "p-1",
      extensionId: OWNER,
      phoneNumber: "+3225550100",
    });
    const none = decide(note(1, [party("Proceeding")]), emptyMemory(), { mode: "forward-to-ai", aiLine: null });
    expect(none.action).toEqual({ kind: "none", why: "mode forward-to-ai but no AI line is configured" });
    expect(none.memory.handled).toEqual([]);
  });

  it("a duplicate (same sequence, another uuid, no status changed) changes nothing, even on Proceeding", () => {
    const first = decide(note(2, [party("Proceeding")]), emptyMemory(), answerMode);
    const again = decide(note(2, [party("Proceeding")]), first.memory, answerMode);
    expect(again.outcome).toBe("duplicate");
    expect(again.action.kind).toBe("none");
    expect(again.memory).toBe(first.memory);
  });

  it("a stale Proceeding (lower sequence, after Answered) is ignored", () => {
    const [answered, stale] = run(answerMode, [note(3, [party("Answered")]), note(2, [party("Proceeding")])]);
    expect(answered!.action.kind).toBe("none");
    expect(stale!.outcome).toBe("stale");
    expect(stale!.action.kind).toBe("none");
    expect(stale!.memory).toMatchObject({ lastSequence: 3, parties: { "p-1": "Answered" }, handled: [] });
  });

  it("out of order: Setup arriving after Proceeding is stale and cannot undo or repeat anything", () => {
    const [proceeding, setup, again] = run(answerMode, [
      note(2, [party("Proceeding")]),
      note(1, [party("Setup")]),
      note(4, [party("Proceeding")]),
    ]);
    expect(proceeding!.action.kind).toBe("answer");
    expect(setup!.outcome).toBe("stale");
    // A later Proceeding of a party we already acted on: acted on once only.
    expect(again!.outcome).toBe("applied");
    expect(again!.action).toEqual({ kind: "none", why: "already answered or forwarded" });
  });

  it("never answers a party that has been past ringing, whatever sequence says", () => {
    const [, proceeding] = run(answerMode, [note(1, [party("Answered")]), note(2, [party("Proceeding")])]);
    expect(proceeding!.action).toEqual({ kind: "none", why: "party already past ringing (Answered)" });
  });

  it("only our extension's inbound party: not outbound calls, not other extensions', not missed calls", () => {
    expect(decide(note(1, [party("Proceeding", { direction: "Outbound" })]), emptyMemory(), answerMode).action).toEqual(
      {
        kind: "none",
        why: "not an inbound call to our extension",
      },
    );
    const other = party("Proceeding", { extensionId: "499999999999" });
    expect(decide(note(1, [other]), emptyMemory(), answerMode).action).toEqual({
      kind: "none",
      why: "no party of our extension in this session",
    });
    const external = party("Proceeding", { extensionId: undefined });
    expect(decide(note(1, [external]), emptyMemory(), answerMode).action.kind).toBe("none");
    const missed = party("Proceeding", { missedCall: true });
    expect(decide(note(1, [missed]), emptyMemory(), answerMode).action).toEqual({
      kind: "none",
      why: "the call was missed",
    });
  });

  it("picks our party among several (the caller's own party has no extension)", () => {
    const caller = party("Answered", { id: "p-0", extensionId: undefined, direction: "Outbound" });
    const d = decide(note(5, [caller, party("Proceeding", { id: "p-2" })]), emptyMemory(), answerMode);
    expect(d.action).toMatchObject({ kind: "answer", partyId: "p-2" });
  });

  it("without an ownerId, any extension's inbound party is ours", () => {
    const d = decide(note(1, [party("Proceeding", { extensionId: "123" })], null), emptyMemory(), answerMode);
    expect(d.action).toMatchObject({ kind: "answer", extensionId: "123" });
  });

  it("the same sequence with a new status is applied: Setup then Proceeding both at sequence 1 answers", () => {
    const [setup, proceeding, again] = run(answerMode, [
      note(1, [party("Setup")]),
      note(1, [party("Proceeding")]),
      note(1, [party("Proceeding")]),
    ]);
    expect(setup!.action.kind).toBe("none");
    expect(proceeding!.outcome).toBe("applied");
    expect(proceeding!.action).toMatchObject({ kind: "answer", partyId: "p-1" });
    expect(again!.outcome).toBe("duplicate");
    expect(again!.action.kind).toBe("none");
  });

  it("without a sequence: never stale, Proceeding answers, and the party is still acted on once only", () => {
    const [setup, proceeding, again, answered, late] = run(answerMode, [
      note(undefined, [party("Setup")]),
      note(undefined, [party("Proceeding")]),
      note(undefined, [party("Proceeding")]),
      note(undefined, [party("Answered")]),
      note(undefined, [party("Proceeding")]),
    ]);
    expect(setup!.outcome).toBe("applied");
    expect(proceeding!.action).toMatchObject({ kind: "answer", partyId: "p-1" });
    expect(again!.outcome).toBe("applied");
    expect(again!.action).toEqual({ kind: "none", why: "already answered or forwarded" });
    expect(answered!.outcome).toBe("applied");
    expect(late!.action.kind).toBe("none");
    expect(late!.memory).toMatchObject({ lastSequence: null, handled: ["p-1"] });
  });

  it("a redelivery (the same envelope uuid) is a duplicate, whatever its sequence", () => {
    const first = note(undefined, [party("Proceeding")], OWNER, "uuid-redelivered");
    const [applied, redelivered] = run(aiMode, [first, { ...first }]);
    expect(applied!.action.kind).toBe("forward");
    expect(redelivered!.outcome).toBe("duplicate");
    expect(redelivered!.action).toEqual({
      kind: "none",
      why: "duplicate notification (uuid uuid-redelivered already applied)",
    });
    // A uuid seen before is a duplicate even with a higher sequence (and then nothing of it is applied).
    const [, , higher] = run(answerMode, [
      note(1, [party("Setup")], OWNER, "uuid-a"),
      note(2, [party("Setup")]),
      note(3, [party("Proceeding")], OWNER, "uuid-a"),
    ]);
    expect(higher!.outcome).toBe("duplicate");
    expect(higher!.memory.lastSequence).toBe(2);
  });

  it("only a strictly lower sequence is stale", () => {
    const [, lower, equalNew] = run(answerMode, [
      note(5, [party("Setup")]),
      note(4, [party("Proceeding")]),
      note(5, [party("Proceeding")]),
    ]);
    expect(lower!.outcome).toBe("stale");
    expect(equalNew!.outcome).toBe("applied");
    expect(equalNew!.action.kind).toBe("answer");
  });

  it("a party seen past ringing is never answered, even by a later Proceeding without a sequence", () => {
    const [, late, again] = run(answerMode, [
      note(undefined, [party("Answered")]),
      note(undefined, [party("Proceeding")]),
      note(undefined, [party("Proceeding")]),
    ]);
    expect(late!.action).toEqual({ kind: "none", why: "party already past ringing (Answered)" });
    expect(again!.action).toEqual({ kind: "none", why: "party already past ringing (Answered)" });
  });

  it("remembers the last RECENT_UUIDS uuids only (bounded memory)", () => {
    const notes = Array.from({ length: RECENT_UUIDS + 5 }, (_, i) => note(i + 1, [party("Setup")], OWNER, `b-${i}`));
    const last = run(answerMode, notes).at(-1)!;
    expect(last.memory.recentUuids).toHaveLength(RECENT_UUIDS);
    expect(last.memory.recentUuids[0]).toBe("b-5");
    expect(last.memory.recentUuids.at(-1)).toBe(`b-${RECENT_UUIDS + 4}`);
  });
});
