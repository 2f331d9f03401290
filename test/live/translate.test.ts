import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getCall } from "../../src/db/calls";
import { listSegments } from "../../src/db/transcripts";
import { provisionTenant } from "../helpers";
import { drivers } from "./drivers";
import { realtimeScript, realtimeState, realtimeTrigger, recordingOfCall } from "./live-helpers";
import { eventually } from "./stream-client";
import { afterRingback, connectBothLegs, directions, translateCall } from "./translate-helpers";

describe.each(drivers)("live translation (Translate) on $carrier", (driver) => {
  it("dials the receiver into the same object and interprets each direction with its own session and voice", async () => {
    const t = await provisionTenant();
    const key = t.openaiKey!;
    await realtimeScript(key, {
      reply: { chunks: 2, chunkBytes: 400, transcript: "Bonjour, je voudrais de l'aide." },
      userTranscript: "Hello, I would like some help.",
    });
    const c = await translateCall(driver, t);
    expect(await c.stub.prepare(driver.carrier, c.parameters)).toEqual({ ok: true });
    const opened = await eventually(
      () => realtimeState(key),
      (s) => s.connections.filter((x) => x.session).length === 2,
      "two interpreter sessions",
    );
    const { toReceiver, toCaller } = directions(opened.connections);
    expect(toReceiver.session?.audio?.output?.voice).toBe("coral");
    expect(toCaller.session?.audio?.output?.voice).toBe("alloy");

    const { caller, receiver } = await connectBothLegs(driver, t, c);
    for (let i = 0; i < 5; i++) caller.media(0x41);
    for (let i = 0; i < 4; i++) receiver.media(0x42);
    const st = await eventually(
      () => realtimeState(key),
      (s) => {
        const d = directions(s.connections);
        return d.toReceiver.appends === 5 && d.toCaller.appends === 4;
      },
      "each leg's audio at its own interpreter",
    );
    expect(directions(st.connections).toReceiver.audioBase64).toBe(btoa(String.fromCharCode(0x41).repeat(800)));

    // The rep speaks: the French interpretation is played to the receiver only.
    await realtimeTrigger(key, "user_turn", toReceiver.id);
    await receiver.until(() => receiver.of("media").length === 2, "the interpretation at the receiver");
    expect(afterRingback(caller)).toHaveLength(0);
    // The receiver answers: its interpretation goes to the caller.
    await realtimeTrigger(key, "respond", toCaller.id);
    await caller.until(() => afterRingback(caller).length === 2, "the interpretation at the caller");
    expect(receiver.of("media")).toHaveLength(2);

    caller.stop(t.accountSid);
    await receiver.until(() => receiver.closed !== null, "the receiver leg to be hung up");
    const call = await eventually(
      () => getCall(env.DB, t.customerId, c.call.id),
      (x) => x?.state === "Completed",
      "the call to close",
    );
    expect(call?.end_time).toBeTruthy();
    const segments = await listSegments(env.DB, t.customerId, c.call.id);
    expect(segments.map((s) => s.sender_type).sort()).toEqual(["AI", "AI", "CustomerRep"]);
    expect(segments.find((s) => s.sender_type === "CustomerRep")?.text).toBe("Hello, I would like some help.");
    const rec = await recordingOfCall(t.customerId, c.call.id);
    expect(rec?.left).toBe(4 * 160); // the receiver (end user)
    expect(rec?.right).toBeGreaterThanOrEqual(5 * 160); // the rep, plus the interpreters
    const st2 = await realtimeState(key);
    expect(st2.connections.every((x) => !x.open)).toBe(true);
  });

  it("ForwardRawAudio: the receiver hears the rep's own voice with the interpretation mixed into it", async () => {
    const t = await provisionTenant();
    const key = t.openaiKey!;
    await realtimeScript(key, { reply: { chunks: 2, chunkBytes: 320, transcript: "Bonjour" } });
    const c = await translateCall(driver, t, { forwardRaw: true });
    const { caller, receiver } = await connectBothLegs(driver, t, c);
    const raw = caller.media(0x41);
    await receiver.until(() => receiver.of("media").length === 1, "the raw frame");
    expect(receiver.of("media")[0]!.media.payload).toBe(raw); // untouched when nothing is to be mixed
    const { toReceiver } = directions(
      (
        await eventually(
          () => realtimeState(key),
          (s) => s.connections.filter((x) => x.session).length === 2,
          "sessions",
        )
      ).connections,
    );
    // The rep keeps talking at real-time pace while the interpretation arrives.
    let sending = true;
    const pump = (async () => {
      while (sending) {
        caller.media(0x41);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await realtimeTrigger(key, "respond", toReceiver.id);
    await eventually(
      () => c.stub.stats(),
      (s) => Number(s.mixed) >= 4,
      "the interpretation mixed into raw frames",
    );
    sending = false;
    await pump;
    const sentFrames = Number((await c.stub.stats()).frames);
    await receiver.until(() => receiver.of("media").length === sentFrames, "every raw frame forwarded");
    expect(receiver.of("media").some((m) => m.media.payload !== raw)).toBe(true);
    caller.stop(t.accountSid);
  });
});
