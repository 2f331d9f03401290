/** A Translate call (rep calling with live translation) on a driver's carrier, shared by the translation tests. */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { insertCall } from "../../src/db/calls";
import { phoneTicketFor } from "../../src/db/tickets";
import type { LiveOptions } from "../../src/live/live-state";
import { streamToken } from "../../src/live/stream-token";
import type { Tenant } from "../helpers";
import type { CarrierDriver } from "./drivers";
import { callStub, type FakeConnection } from "./live-helpers";
import type { StreamClient } from "./stream-client";

export interface TranslateOptions {
  forwardRaw?: boolean;
  callerLanguage?: string;
  /** The rep's number (caller ID); default the tenant's rep number. */
  from?: string;
  configure?: LiveOptions;
}

/** What rep calling sets up for a Translate call on the driver's carrier: the call record and the stream parameters. */
export async function translateCall(driver: CarrierDriver, t: Tenant, o: TranslateOptions = {}) {
  const callerSid = await driver.newCallerLeg(t);
  const receiver = `+32471${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
  const from = o.from ?? t.repNumber;
  const ticket = await phoneTicketFor(env.DB, t.customerId, receiver, t.repId, `Call with ${receiver}`);
  const call = await insertCall(env.DB, {
    customer_id: t.customerId,
    carrier: driver.carrier,
    direction: "Outbound",
    state: "InProgress",
    mode: "translate",
    from_number: from,
    to_number: receiver,
    rep_id: t.repId,
    ticket_id: ticket.id,
    call_sid: callerSid,
    start_time: new Date().toISOString(),
  });
  const callerLanguage = o.callerLanguage ?? "en-US";
  const parameters = {
    Mode: "translate",
    CallerLanguage: callerLanguage,
    CallerVoice: "alloy",
    ReceiverLanguage: "fr-FR",
    ReceiverVoice: "coral",
    ForwardRawAudio: String(o.forwardRaw ?? false),
    CustomerId: String(t.customerId),
    RepId: String(t.repId),
    CallId: call.id,
    From: from,
    To: receiver,
    StreamToken: await streamToken(env, { customerId: t.customerId, key: callerSid, leg: "caller", callId: call.id }),
  };
  const stub = callStub(callerSid);
  if (o.configure) await stub.configure(o.configure);
  return { callerSid, receiver, call, parameters, stub, callerLanguage };
}

export type TranslateCall = Awaited<ReturnType<typeof translateCall>>;

/** The two interpreter sessions, told apart by their instructions. */
export function directions(conns: FakeConnection[], callerLanguage = "en-US") {
  const toReceiver = conns.find((c) => c.session?.instructions?.includes(`from ${callerLanguage} into fr-FR`))!;
  const toCaller = conns.find((c) => c.session?.instructions?.includes(`from fr-FR into ${callerLanguage}`))!;
  return { toReceiver, toCaller };
}

/** The caller's stream starts; the object dials the receiver, whose answered leg streams into the same object. */
export async function connectBothLegs(driver: CarrierDriver, t: Tenant, c: TranslateCall) {
  const caller = await driver.connect(c.callerSid, c.callerSid);
  caller.start(t.accountSid, c.parameters);
  const dial = await driver.dialedReceiver(t, c.callerSid);
  expect(dial).toMatchObject({ to: c.receiver, from: c.parameters.From });
  expect(dial.parameters.Leg).toBe("receiver");
  const receiver = dial.stream;
  receiver.start(t.accountSid, dial.parameters);
  // The answer stops the rep's ringback with a clear of what the carrier still had queued.
  await caller.until(() => caller.of("clear").length === 1, "the ringback to stop");
  return { caller, receiver, receiverRef: dial.callRef };
}

/** The media the rep's leg received after its ringback stopped (the first `clear`). */
export function afterRingback(caller: StreamClient) {
  const cleared = caller.received.findIndex((m) => m.event === "clear");
  return cleared < 0 ? [] : caller.received.slice(cleared + 1).filter((m) => m.event === "media");
}
