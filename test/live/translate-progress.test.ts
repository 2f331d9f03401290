/**
 * The rep of a translated call is never left in silence (docs/live-calls.md, "Dialing the receiver"): ringback
 * while the receiver rings, a spoken reason and an outcome when it cannot be reached, hangs up, or the dial times
 * out; the rep hanging up first cancels the ringing leg. On every carrier, through the carrier seam.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RINGBACK, ringbackFrame, type RingbackCadence } from "../../src/audio/ringback";
import { getCall } from "../../src/db/calls";
import { bytesToBase64 } from "../../src/lib/encoding";
import { provisionTenant, type Tenant } from "../helpers";
import { canceled, drivers, spokenOn, type CarrierDriver, type FinalState } from "./drivers";
import { realtimeState, recordingOfCall } from "./live-helpers";
import { eventually, type StreamClient } from "./stream-client";
import { afterRingback, connectBothLegs, directions, translateCall, type TranslateCall } from "./translate-helpers";

/**
 * Whether `payloads` are the cadence's ringback from its first frame on, in order: frame 0 first, then later
 * frames of the same cadence (the player skips frames it is too late for after a stall, never reorders them).
 */
function isRingback(payloads: string[], c: RingbackCadence): boolean {
  let k = 0;
  for (const [i, p] of payloads.entries()) {
    while (bytesToBase64(ringbackFrame(c, k)) !== p) if (i === 0 || ++k > payloads.length + 300) return false;
    k++;
  }
  return payloads.length > 0;
}

/** The rep's leg streams and the receiver is dialed (still ringing). */
async function ringing(driver: CarrierDriver, t: Tenant, c: TranslateCall) {
  const caller = await driver.connect(c.callerSid, c.callerSid);
  caller.start(t.accountSid, c.parameters);
  const dial = await driver.dialed(t, c.callerSid);
  await caller.until(() => caller.of("media").length >= 5, "ringback at the rep");
  return { caller, dial };
}

/** The carrier ends the rep's leg after the spoken message (as it does after `<Say>…<Hangup/>`); the call closes. */
async function repLegEnds(t: Tenant, c: TranslateCall, caller: StreamClient, state: string) {
  caller.stop(t.accountSid);
  return eventually(
    () => getCall(env.DB, t.customerId, c.call.id),
    (x) => x?.state === state && x.end_time !== null,
    `the call record to be ${state}`,
  );
}

const FAILURES: [FinalState, string, string, string, string][] = [
  ["NoAnswer", "en-US", "There is no answer. Goodbye.", "NoAnswer", "receiver_no_answer"],
  ["Busy", "fr-FR", "La ligne est occupée. Au revoir.", "Busy", "receiver_busy"],
  ["Failed", "nl", "De verbinding kon niet tot stand worden gebracht. Tot ziens.", "Failed", "receiver_failed"],
  ["Canceled", "en-GB", "The call could not be connected. Goodbye.", "Canceled", "receiver_canceled"],
];

describe.each(drivers)("translated call progress on $carrier", (driver) => {
  it("the rep hears ringback until the receiver answers; it reaches neither the recording nor an interpreter", async () => {
    const t = await provisionTenant();
    const c = await translateCall(driver, t, { forwardRaw: true });
    const caller = await driver.connect(c.callerSid, c.callerSid);
    caller.start(t.accountSid, c.parameters);
    for (let i = 0; i < 3; i++) caller.media(0x41);
    await caller.until(() => caller.of("media").length >= 20, "20 frames of ringback");
    // The tenant's rep number is Belgian: Europe's 425 Hz, frame for frame from the start.
    const heard = caller.of("media").map((m) => m.media.payload);
    expect(isRingback(heard, RINGBACK.cept)).toBe(true);
    expect(isRingback(heard, RINGBACK.nanp)).toBe(false);

    const dial = await driver.dialedReceiver(t, c.callerSid);
    dial.stream.start(t.accountSid, dial.parameters);
    await caller.until(() => caller.of("clear").length === 1, "the ringback to stop on the answer");
    const played = Number((await c.stub.stats()).ringbackFrames);
    expect(played).toBeGreaterThanOrEqual(20);
    // Everything after the clear is the receiver's own voice (ForwardRawAudio): no tone after the answer.
    const voice = [dial.stream.media(0x42), dial.stream.media(0x42)];
    await caller.until(() => afterRingback(caller).length === 2, "the receiver's voice at the rep");
    expect(afterRingback(caller).map((m) => m.media.payload)).toEqual(voice);
    expect(caller.of("media").length).toBeLessThanOrEqual(played + 2);

    const st = await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => {
        const d = directions(s.connections);
        return d.toReceiver?.appends === 3 && d.toCaller?.appends === 2;
      },
      "each side's own audio, and only that, at its interpreter",
    );
    expect(directions(st.connections).toReceiver.audioBase64).toBe(btoa(String.fromCharCode(0x41).repeat(480)));

    const call = await repLegEnds(t, c, caller, "Completed");
    expect(call?.outcome).toBe("completed"); // connected, and no receiver outcome decided it
    expect(await canceled(driver, t, dial.callRef)).toBe(false); // answered: hung up with its socket, not cancelled
    const rec = await recordingOfCall(t.customerId, c.call.id);
    expect(rec?.left).toBe(2 * 160); // the receiver
    expect(rec?.right).toBe(3 * 160); // the rep: no ringback
  });

  it.each(FAILURES)(
    "receiver %s: the rep is told in their language (%s) and the call ends with its outcome",
    async (status, language, text, state, outcome) => {
      const t = await provisionTenant();
      const c = await translateCall(driver, t, { callerLanguage: language });
      const { caller, dial } = await ringing(driver, t, c);
      expect(await driver.endLeg(t, dial.callRef, status)).toEqual([{ accepted: true }]);
      const said = await eventually(
        () => spokenOn(driver, t, c.callerSid),
        (s) => s !== null,
        "the message to the rep",
      );
      expect(said?.text).toBe(text);
      expect(said?.language).toBe(language === "nl" ? "nl-NL" : language);
      await caller.until(() => caller.of("clear").length === 1, "the ringback to stop");
      const call = await repLegEnds(t, c, caller, state);
      expect(call).toMatchObject({ outcome, talk_time_seconds: 0 });
      expect(await canceled(driver, t, dial.callRef)).toBe(false); // over already: nothing to cancel
    },
  );

  it("no status within the dial timeout: the ringing leg is cancelled and the rep hears there is no answer", async () => {
    const t = await provisionTenant();
    const c = await translateCall(driver, t, { from: "+14155550100", configure: { dialTimeoutMs: 1000 } });
    const { caller, dial } = await ringing(driver, t, c);
    // A North American rep hears North American ringback.
    const heard = caller.of("media").map((m) => m.media.payload);
    expect(isRingback(heard, RINGBACK.nanp)).toBe(true);
    expect(isRingback(heard, RINGBACK.cept)).toBe(false);
    const said = await eventually(
      () => spokenOn(driver, t, c.callerSid),
      (s) => s !== null,
      "the dial timeout",
      15_000,
    );
    expect(said).toEqual({ text: "There is no answer. Goodbye.", language: "en-US" });
    expect(await canceled(driver, t, dial.callRef)).toBe(true);
    // The carrier's report of the leg it cancelled comes late and changes nothing.
    expect(await driver.deliverReports(t)).toEqual([{ accepted: true, reason: "the call is already ending" }]);
    const call = await repLegEnds(t, c, caller, "NoAnswer");
    expect(call?.outcome).toBe("receiver_dial_timeout");
  });

  it("the receiver hangs up mid-call: the rep is told, then the call ends", async () => {
    const t = await provisionTenant();
    const c = await translateCall(driver, t);
    const { caller, receiver, receiverRef } = await connectBothLegs(driver, t, c);
    receiver.media(0x42);
    receiver.stop(t.accountSid);
    const said = await eventually(
      () => spokenOn(driver, t, c.callerSid),
      (s) => s !== null,
      "the hang-up message",
    );
    expect(said).toEqual({ text: "The other party has hung up. Goodbye.", language: "en-US" });
    expect(caller.closed).toBeNull(); // the rep's leg stays up for the message
    expect(await driver.endLeg(t, receiverRef, "Completed")).toEqual([
      { accepted: true, reason: "the call is already ending" },
    ]);
    const call = await repLegEnds(t, c, caller, "Completed");
    expect(call?.outcome).toBe("receiver_hung_up");
  });

  it("the carrier reports the receiver's hang-up before its stream stops: the same message, once", async () => {
    const t = await provisionTenant();
    const c = await translateCall(driver, t, { callerLanguage: "de" });
    const { caller, receiver, receiverRef } = await connectBothLegs(driver, t, c);
    expect(await driver.endLeg(t, receiverRef, "Completed")).toEqual([{ accepted: true }]);
    const said = await spokenOn(driver, t, c.callerSid);
    expect(said).toEqual({ text: "Der Teilnehmer hat aufgelegt. Auf Wiederhören.", language: "de-DE" });
    receiver.stop(t.accountSid);
    const call = await repLegEnds(t, c, caller, "Completed");
    expect(call?.outcome).toBe("receiver_hung_up");
  });

  it("the rep hangs up while the receiver rings: the ringing leg is cancelled and the call recorded as canceled", async () => {
    const t = await provisionTenant();
    const c = await translateCall(driver, t);
    const { caller, dial } = await ringing(driver, t, c);
    const call = await repLegEnds(t, c, caller, "Canceled");
    expect(call?.outcome).toBe("rep_hung_up_while_dialing");
    expect(await canceled(driver, t, dial.callRef)).toBe(true);
    expect(await spokenOn(driver, t, c.callerSid)).toBeNull();
    // The carrier's report of the cancelled leg reaches a call that is over.
    expect(await driver.deliverReports(t)).toEqual([{ accepted: false, reason: "the call has ended" }]);
  });
});
