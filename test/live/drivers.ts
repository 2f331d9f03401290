/**
 * The same live-call tests on every carrier: a driver plays one carrier's side of a call (what its webhook sets up,
 * its media stream, how its call control is seen). Twilio through the Worker's real routes and the Twilio fake;
 * the test-only carrier (test/carrier/fake-carrier.ts) straight into the engine's entry points.
 */
import { env, exports } from "cloudflare:workers";
import { insertCall } from "../../src/db/calls";
import { phoneTicketFor } from "../../src/db/tickets";
import type { CarrierCallState, PersonTarget } from "../../src/live/carrier";
import { callObject, reportLegStatus } from "../../src/live/entry";
import type { LiveOptions } from "../../src/live/live-state";
import { streamToken } from "../../src/live/stream-token";
import type { FakeCarrierCommand, FakeLegEvent } from "../fakes/fake-carrier";
import type { Webhook as StatusCallback } from "../fakes/twilio-events";
import { hex, twilioFake, type Tenant } from "../helpers";
import {
  callStub,
  newCallSid,
  parseStreamTwiml,
  postTwilio,
  registerCall,
  twilioRequests,
  type AssistantTenant,
} from "./live-helpers";
import { eventually, FakeStreamClient, TwilioStreamClient, type StreamClient } from "./stream-client";
import { inject } from "vitest";
import { telnyxDriver } from "./telnyx-driver";

export interface AnsweredCall {
  /** The call object's name: the caller leg's carrier id. */
  key: string;
  caller: string;
  parameters: Record<string, string>;
  /** Opens the caller's media stream (not started). */
  connect(): Promise<StreamClient>;
}

/** A call-control action the engine took on a leg, however its carrier spells it. */
export type ControlAction =
  | { action: "hangup"; ringing: boolean }
  | { action: "transfer"; to: PersonTarget; announce: string | null }
  | { action: "say-hangup"; text: string; language: string | null }
  | { action: "other" };

/** A carrier whose calls the engine answers and controls (every carrier: Telnyx is one of these only). */
export interface AnsweringDriver {
  carrier: "twilio" | "fake" | "telnyx";
  /** An inbound call to an assistant's number, answered the way the carrier's webhook does it (record, prepare). */
  answerAssistantCall(t: AssistantTenant, caller: string, options?: LiveOptions): Promise<AnsweredCall>;
  /** A new caller leg known to the carrier (so call control can act on it); its id names the call's object. */
  newCallerLeg(t: Tenant): Promise<string>;
  /** Opens a leg's media stream into the call's object `key` (not started). */
  connect(key: string, callRef: string): Promise<StreamClient>;
  /** What the engine told the carrier to do with the leg `callRef`, in order. */
  controlActions(t: Tenant, callRef: string): Promise<ControlAction[]>;
}

/** A carrier that also dials the receiver of a translated call. */
export interface CarrierDriver extends AnsweringDriver {
  carrier: "twilio" | "fake";
  /** The engine dialed the receiver: the dial as the carrier saw it, and the receiver's stream (not started). */
  dialedReceiver(t: Tenant, key: string): Promise<Dialed & { stream: StreamClient }>;
  /** The engine dialed the receiver: the dial as the carrier saw it, still ringing. */
  dialed(t: Tenant, key: string): Promise<Dialed>;
  /** The dialed leg ends with a final state; the carrier reports it to the Worker as it would. */
  endLeg(t: Tenant, callRef: string, state: FinalState): Promise<LegStatusAnswer[]>;
  /** Delivers the leg-status reports the carrier has queued since (e.g. for a leg call control hung up). */
  deliverReports(t: Tenant): Promise<LegStatusAnswer[]>;
}

/** Twilio: a REST update of the call, with a Status or new TwiML. */
function twilioAction(params: Record<string, string>): ControlAction {
  if (params.Status === "completed" || params.Status === "canceled") {
    return { action: "hangup", ringing: params.Status === "canceled" };
  }
  const twiml = params.Twiml ?? "";
  const say = sayOf(twiml);
  const client = /<Client>([^<]*)<\/Client>/.exec(twiml)?.[1];
  const number = /<Number>([^<]*)<\/Number>/.exec(twiml)?.[1];
  if (client !== undefined || number !== undefined) {
    const to: PersonTarget =
      client !== undefined ? { kind: "rep", identity: unxml(client) } : { kind: "number", number: unxml(number!) };
    return { action: "transfer", to, announce: say?.text ?? null };
  }
  if (say && twiml.includes("<Hangup/>")) return { action: "say-hangup", ...say };
  return { action: "other" };
}

/** What call control had the carrier say on a leg before hanging it up (the last time), or null. */
export async function spokenOn(driver: AnsweringDriver, t: Tenant, callRef: string) {
  const says = (await driver.controlActions(t, callRef)).filter((a) => a.action === "say-hangup");
  const last = says.at(-1);
  return last ? { text: last.text, language: last.language } : null;
}

/** Whether call control cancelled the leg while it rang. */
export async function canceled(driver: AnsweringDriver, t: Tenant, callRef: string): Promise<boolean> {
  return (await driver.controlActions(t, callRef)).some((a) => a.action === "hangup" && a.ringing);
}

export interface Dialed {
  to: string;
  from: string;
  parameters: Record<string, string>;
  /** The dialed leg's carrier id. */
  callRef: string;
}

export type FinalState = Extract<CarrierCallState, "Completed" | "Busy" | "NoAnswer" | "Failed" | "Canceled">;
export type LegStatusAnswer = { accepted: boolean; reason?: string };

const TWILIO_STATUS: Record<FinalState, string> = {
  Completed: "completed",
  Busy: "busy",
  NoAnswer: "no-answer",
  Failed: "failed",
  Canceled: "canceled",
};

/** Posts a status callback the fake Twilio composed to the Worker, as Twilio would (signed form POST). */
async function postCallback(cb: StatusCallback): Promise<LegStatusAnswer> {
  const res = await exports.default.fetch(
    new Request(cb.url, {
      method: "POST",
      body: new URLSearchParams(cb.params).toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": cb.signature },
    }),
  );
  if (res.status !== 200) throw new Error(`status callback ${cb.url}: ${res.status} ${await res.text()}`);
  return res.json();
}

const unxml = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

const sayOf = (twiml: string) => {
  const m = /<Say([^>]*)>([^<]*)<\/Say>/.exec(twiml);
  if (!m) return null;
  return { text: unxml(m[2]!), language: /language="([^"]*)"/.exec(m[1]!)?.[1] ?? null };
};

export const twilioDriver: CarrierDriver = {
  carrier: "twilio",
  async answerAssistantCall(t, caller, options) {
    const callSid = newCallSid();
    await registerCall(t, callSid, { from: caller, to: t.assistantNumber });
    if (options) await callStub(callSid).configure(options);
    const res = await postTwilio(t, "/twiml", {
      CallSid: callSid,
      From: caller,
      To: t.assistantNumber,
      Direction: "inbound",
    });
    if (res.status !== 200) throw new Error(`/twiml: ${res.status} ${await res.text()}`);
    const tw = parseStreamTwiml(await res.text());
    return {
      key: callSid,
      caller,
      parameters: tw.parameters,
      connect: () => TwilioStreamClient.connect(tw.path, callSid),
    };
  },
  async newCallerLeg(t) {
    const callSid = newCallSid();
    await registerCall(t, callSid);
    return callSid;
  },
  connect: (key, callRef) => TwilioStreamClient.connect(`/streams/${key}`, callRef),
  async dialedReceiver(t, key) {
    const dial = await twilioDriver.dialed(t, key);
    return { ...dial, stream: await TwilioStreamClient.connect(`/streams/${key}`, dial.callRef) };
  },
  async dialed(t, key) {
    const isDial = (x: { method: string; path: string }) => x.path.endsWith("/Calls.json") && x.method === "POST";
    const reqs = await eventually(
      () => twilioRequests(t),
      (r) => r.some(isDial),
      "the receiver to be dialed",
    );
    const dial = reqs.find(isDial)!;
    const tw = parseStreamTwiml(dial.params.Twiml!);
    if (tw.path !== `/streams/${key}`) throw new Error(`the receiver streams to ${tw.path}, not the caller's object`);
    const calls = (await (await twilioFake(`/calls?accountSid=${t.accountSid}`)).json()) as {
      sid: string;
      to: string;
    }[];
    const receiverSid = calls.find((x) => x.to === dial.params.To)!.sid;
    return { to: dial.params.To!, from: dial.params.From!, parameters: tw.parameters, callRef: receiverSid };
  },
  async endLeg(t, callRef, state) {
    const res = await twilioFake(`/calls/${callRef}/complete`, {
      method: "POST",
      body: JSON.stringify({ status: TWILIO_STATUS[state] }),
    });
    if (!res.ok) throw new Error(`complete ${callRef}: ${res.status} ${await res.text()}`);
    return twilioDriver.deliverReports(t);
  },
  async deliverReports(t) {
    const res = await twilioFake(`/callbacks/take?accountSid=${t.accountSid}`, { method: "POST" });
    const callbacks = (await res.json()) as StatusCallback[];
    const answers: LegStatusAnswer[] = [];
    for (const cb of callbacks) answers.push(await postCallback(cb));
    return answers;
  },
  async controlActions(t, callRef) {
    const updates = (await twilioRequests(t)).filter(
      (r) => r.method === "POST" && r.path.endsWith(`/Calls/${callRef}.json`),
    );
    return updates.map((r) => twilioAction(r.params));
  },
};

export async function fakeCommands(t: Tenant): Promise<FakeCarrierCommand[]> {
  return (await fetch(`${inject("fakeCarrierUrl")}/__fake/commands?customerId=${t.customerId}`)).json();
}

export const fakeDriver: CarrierDriver = {
  carrier: "fake",
  // What a webhook of this carrier would do (test/carrier/fake-carrier.ts has no route): the record, then prepare.
  async answerAssistantCall(t, caller, options) {
    const key = `fk_${hex(12)}`;
    if (options) await callStub(key).configure(options);
    const ticket = await phoneTicketFor(env.DB, t.customerId, caller, null, `Call with ${caller}`);
    const call = await insertCall(env.DB, {
      customer_id: t.customerId,
      carrier: "fake",
      direction: "Inbound",
      state: "InProgress",
      mode: "assistant",
      from_number: caller,
      to_number: t.assistantNumber,
      assistant_id: t.assistantId,
      ticket_id: ticket.id,
      call_sid: key,
      start_time: new Date().toISOString(),
    });
    const parameters = {
      To: t.assistantNumber,
      From: caller,
      Mode: "assistant",
      CustomerId: String(t.customerId),
      CallId: call.id,
      AssistantId: String(t.assistantId),
      StreamToken: await streamToken(env, { customerId: t.customerId, key, leg: "caller", callId: call.id }),
    };
    await callObject(env, key).prepare("fake", parameters);
    return { key, caller, parameters, connect: () => FakeStreamClient.connect(key, key) };
  },
  newCallerLeg: async () => `fk_${hex(12)}`,
  connect: (key, callRef) => FakeStreamClient.connect(key, callRef),
  async dialedReceiver(t, key) {
    const dial = await fakeDriver.dialed(t, key);
    return { ...dial, stream: await FakeStreamClient.connect(key, dial.callRef) };
  },
  async dialed(t, key) {
    const cmds = await eventually(
      () => fakeCommands(t),
      (c) => c.some((x) => x.action === "dial"),
      "the receiver to be dialed",
    );
    const dial = cmds.find((x) => x.action === "dial")!;
    if (dial.body.key !== key)
      throw new Error(`the receiver streams to ${String(dial.body.key)}, not the caller's object`);
    const parameters = dial.body.parameters as Record<string, string>;
    return { to: String(dial.body.to), from: String(dial.body.from), parameters, callRef: dial.callRef };
  },
  async endLeg(t, callRef, state) {
    const res = await fetch(`${inject("fakeCarrierUrl")}/__fake/calls/${callRef}/complete`, {
      method: "POST",
      body: JSON.stringify({ state }),
    });
    if (!res.ok) throw new Error(`complete ${callRef}: ${res.status} ${await res.text()}`);
    return fakeDriver.deliverReports(t);
  },
  // The test-only carrier has no webhook route: its reports go straight into the engine's entry point.
  async deliverReports(t) {
    const res = await fetch(`${inject("fakeCarrierUrl")}/__fake/events/take?customerId=${t.customerId}`, {
      method: "POST",
    });
    const answers: LegStatusAnswer[] = [];
    for (const e of (await res.json()) as FakeLegEvent[]) {
      answers.push(
        await reportLegStatus(env, e.key, {
          carrier: "fake",
          customerId: Number(e.customerId),
          callRef: e.callRef,
          state: e.state as CarrierCallState,
        }),
      );
    }
    return answers;
  },
  async controlActions(t, callRef) {
    return (await fakeCommands(t))
      .filter((c) => c.callRef === callRef)
      .map((c): ControlAction => {
        if (c.action === "hangup") return { action: "hangup", ringing: c.body.ringing === true };
        if (c.action === "say-hangup") {
          return { action: "say-hangup", text: String(c.body.text), language: (c.body.language as string) ?? null };
        }
        if (c.action === "transfer")
          return { action: "transfer", to: c.body.to as PersonTarget, announce: (c.body.announce as string) ?? null };
        return { action: "other" };
      });
  },
};

export const drivers: readonly CarrierDriver[] = [twilioDriver, fakeDriver];

/** Every carrier whose inbound calls the engine answers: the tests of answered calls run on each. */
export const answeringDrivers: readonly AnsweringDriver[] = [...drivers, telnyxDriver];

/** The engine's call-control actions on the leg, once there is one. */
export const controlActed = (driver: AnsweringDriver, t: Tenant, callRef: string, what: string) =>
  eventually(
    () => driver.controlActions(t, callRef),
    (a) => a.length > 0,
    what,
  );

/** An inbound assistant call on `driver`'s carrier with its stream started: what most live-call tests begin with. */
export async function startCall(
  driver: AnsweringDriver,
  t: AssistantTenant,
  opts: { configure?: LiveOptions; start?: boolean } = {},
) {
  const caller = `+32470${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
  const answered = await driver.answerAssistantCall(t, caller, opts.configure);
  const tc = await answered.connect();
  if (opts.start !== false) tc.start(t.accountSid, answered.parameters);
  return {
    callSid: answered.key,
    caller,
    tc,
    callId: answered.parameters.CallId!,
    stub: callStub(answered.key),
    parameters: answered.parameters,
  };
}
