/**
 * What to do with one telephony-session notification, given what we already saw of the session. Pure: the session
 * object (session-object.ts) keeps the memory, actions.ts carries the action out (docs/ringcentral.md, "Decisions").
 */
import type { RingCentralMode } from "./account";
import type { Party, TelephonyNotification } from "./notification";

export interface SessionMemory {
  /** The highest `sequence` applied; a notification below it is stale and changes nothing. */
  lastSequence: number | null;
  /** Each party's status code as of the last applied notification (a status past ringing is never undone). */
  parties: Record<string, string>;
  /** Parties we answered or forwarded: never twice, whatever the notifications' sequence says. */
  handled: string[];
  /** Envelope `uuid`s of the last applied notifications (at most RECENT_UUIDS): a redelivery is a duplicate. */
  recentUuids: string[];
}

/** How many notification uuids a session remembers; RingCentral redelivers the last ones, not old history. */
export const RECENT_UUIDS = 32;

export const emptyMemory = (): SessionMemory => ({ lastSequence: null, parties: {}, handled: [], recentUuids: [] });

export type Action =
  | { kind: "none"; why: string }
  | { kind: "answer"; telephonySessionId: string; partyId: string; extensionId: string }
  | { kind: "forward"; telephonySessionId: string; partyId: string; extensionId: string; phoneNumber: string };

export type Outcome = "applied" | "duplicate" | "stale";

export interface Decision {
  outcome: Outcome;
  action: Action;
  /** The memory after this notification (the same object when nothing changed). */
  memory: SessionMemory;
}

export interface Policy {
  mode: RingCentralMode;
  aiLine: string | null;
}

/** Statuses a party only reaches after ringing: seeing one means the moment to pick the call up has passed. */
const PAST_RINGING = new Set([
  "Answered",
  "Disconnected",
  "Gone",
  "Parked",
  "Hold",
  "VoiceMail",
  "VoiceMailScreening",
  "FaxReceive",
]);

/** A party of an extension we may control: the subscription owner's (the JWT's user) when we know who that is. */
export const isOwnParty = (p: Party, ownerId: string | null) =>
  p.extensionId !== undefined && (ownerId === null || p.extensionId === ownerId);

const none = (why: string): Action => ({ kind: "none", why });

/** Why no party of this notification is one to act on, in words for the log. */
function whyNot(n: TelephonyNotification, memory: SessionMemory): string {
  const own = n.body.parties.filter((p) => isOwnParty(p, n.ownerId));
  if (!own.length) return "no party of our extension in this session";
  const p = own.find((x) => x.direction === "Inbound");
  if (!p) return "not an inbound call to our extension";
  if (memory.handled.includes(p.id)) return "already answered or forwarded";
  if (PAST_RINGING.has(memory.parties[p.id] ?? "")) return `party already past ringing (${memory.parties[p.id]})`;
  if (p.missedCall) return "the call was missed";
  return `party status ${p.status.code}: we act on Proceeding only`;
}

/** Whether every party of the notification is in the status we last applied for it: nothing new to apply. */
const nothingNew = (n: TelephonyNotification, memory: SessionMemory) =>
  n.body.parties.every((p) => memory.parties[p.id] === p.status.code);

/**
 * Duplicate: its envelope `uuid` was applied already (a redelivery), or it has the last applied `sequence` and no
 * party's status changed. Stale: a `sequence` strictly below the last applied one. `sequence` is optional: a
 * notification without one is never stale. Equal sequences with new statuses are applied (some senders do not
 * advance it); acting on a party at most once rests on `handled`, not on sequence.
 */
function notNew(n: TelephonyNotification, memory: SessionMemory): { outcome: Outcome; why: string } | null {
  const { sequence } = n.body;
  if (n.uuid !== null && memory.recentUuids.includes(n.uuid))
    return { outcome: "duplicate", why: `duplicate notification (uuid ${n.uuid} already applied)` };
  if (sequence === undefined || memory.lastSequence === null) return null;
  if (sequence < memory.lastSequence) return { outcome: "stale", why: `stale notification (sequence ${sequence})` };
  if (sequence === memory.lastSequence && nothingNew(n, memory))
    return { outcome: "duplicate", why: `duplicate notification (sequence ${sequence}, no status changed)` };
  return null;
}

export function decide(n: TelephonyNotification, memory: SessionMemory, policy: Policy): Decision {
  const { sequence, telephonySessionId } = n.body;
  const skip = notNew(n, memory);
  if (skip) return { outcome: skip.outcome, action: none(skip.why), memory };
  const parties = { ...memory.parties };
  // A party seen past ringing stays so: a Proceeding that arrives later (without a sequence to place it) is old news.
  for (const p of n.body.parties)
    if (!PAST_RINGING.has(parties[p.id] ?? "") || PAST_RINGING.has(p.status.code)) parties[p.id] = p.status.code;
  const recentUuids = n.uuid === null ? memory.recentUuids : [...memory.recentUuids, n.uuid];
  const next: SessionMemory = {
    lastSequence: sequence === undefined ? memory.lastSequence : Math.max(sequence, memory.lastSequence ?? sequence),
    parties,
    handled: memory.handled,
    recentUuids: recentUuids.slice(-RECENT_UUIDS),
  };
  const target = n.body.parties.find(
    (p) =>
      isOwnParty(p, n.ownerId) &&
      p.direction === "Inbound" &&
      p.status.code === "Proceeding" &&
      !p.missedCall &&
      !memory.handled.includes(p.id) &&
      !PAST_RINGING.has(memory.parties[p.id] ?? ""),
  );
  if (!target?.extensionId) return { outcome: "applied", action: none(whyNot(n, memory)), memory: next };
  const partyId = target.id;
  const extensionId = target.extensionId;
  let action: Action;
  if (policy.mode === "answer") action = { kind: "answer", telephonySessionId, partyId, extensionId };
  else if (policy.aiLine)
    action = { kind: "forward", telephonySessionId, partyId, extensionId, phoneNumber: policy.aiLine };
  else return { outcome: "applied", action: none("mode forward-to-ai but no AI line is configured"), memory: next };
  return { outcome: "applied", action, memory: { ...next, handled: [...memory.handled, partyId] } };
}
