import { describe, expect, it } from "vitest";
import { eventually } from "./stream-client";
import { answeringDrivers, startCall } from "./drivers";
import { assistantTenant, realtimeScript, realtimeState, realtimeTrigger } from "./live-helpers";

/** A call whose caller has sent `frames` frames, and the model told to reply as scripted. */
async function replying(
  driver: (typeof answeringDrivers)[number],
  script: Parameters<typeof realtimeScript>[1],
  frames = 1,
) {
  const t = await assistantTenant({ welcome: null });
  const key = t.openaiKey!;
  await realtimeScript(key, script);
  const { tc, stub } = await startCall(driver, t);
  for (let i = 0; i < frames; i++) tc.media();
  await eventually(
    () => realtimeState(key),
    (s) => s.connections[0]?.appends === frames,
    "caller audio at OpenAI",
  );
  await realtimeTrigger(key, "respond");
  return { t, key, tc, stub };
}

describe.each(answeringDrivers)("barge-in on $carrier", (driver) => {
  it("clears the carrier's playback, cancels the reply and truncates at the confirmed-played ms, ignoring stale marks", async () => {
    const { t, key, tc, stub } = await replying(
      driver,
      {
        reply: { chunks: 4, chunkBytes: 800, transcript: "Let me explain our pricing in detail." },
        holdResponses: true,
      },
      5,
    );
    await tc.until(() => tc.of("mark").length === 4, "4 chunks with their marks");
    const marks = tc.of("mark").map((m) => m.mark.name);
    // Twilio has played the first two chunks (2 × 800 bytes = 200 ms); the rest is still buffered.
    tc.mark(marks[0]!);
    tc.mark(marks[1]!);
    await eventually(
      () => stub.stats(),
      (s) => s.confirmedMarks === 2,
      "the two echoes",
    );

    await realtimeTrigger(key, "speech_started");
    await tc.until(() => tc.of("clear").length === 1, "clear");
    const st = await eventually(
      () => realtimeState(key),
      (s) => s.connections[0]!.events.some((e) => e.type === "conversation.item.truncate"),
      "the truncate",
    );
    const events = st.connections[0]!.events;
    const truncate = events.find((e) => e.type === "conversation.item.truncate")!;
    const itemId = Object.keys(st.connections[0]!.items)[0]!;
    expect(truncate).toMatchObject({ item_id: itemId, content_index: 0, audio_end_ms: 200 });
    expect(events.some((e) => e.type === "response.cancel")).toBe(true);
    // The fake validates truncates like the real API: 200 ms is within the item, so it was accepted.
    expect(st.connections[0]!.items[itemId]).toBe(200 * 8);

    // Twilio echoes the flushed marks after a clear: they confirm nothing.
    tc.mark(marks[2]!);
    tc.mark(marks[3]!);
    const stats = await eventually(
      () => stub.stats(),
      (s) => s.staleMarks === 2,
      "stale echoes",
    );
    expect(stats).toMatchObject({ confirmedMarks: 2, truncates: 1, clears: 1 });
    tc.stop(t.accountSid);
  });

  it("drops the interrupted reply's audio still in flight after the clear", async () => {
    const { t, key, tc, stub } = await replying(driver, {
      reply: { chunks: 2, chunkBytes: 800, transcript: "A long answer." },
      holdResponses: true,
    });
    await tc.until(() => tc.of("mark").length === 2, "the reply's two chunks");
    // The server had sent three more chunks of the reply when it heard the caller.
    await realtimeTrigger(key, "speech_started", undefined, { lateChunks: 3 });
    await tc.until(() => tc.of("clear").length === 1, "clear");
    await eventually(
      () => stub.stats(),
      (s) => s.droppedAfterBargeIn === 3,
      "the late chunks dropped",
    );
    await realtimeTrigger(key, "respond");
    await tc.until(() => tc.of("mark").length === 4, "the next reply plays");
    const late = btoa(String.fromCharCode(...new Array<number>(800).fill(0x55)));
    expect(tc.of("media").filter((m) => m.media.payload === late)).toHaveLength(0);
    expect(tc.of("media")).toHaveLength(4);
    tc.stop(t.accountSid);
  });

  it("does not truncate or clear when everything sent was already played", async () => {
    const { t, key, tc, stub } = await replying(driver, { reply: { chunks: 2, chunkBytes: 400, transcript: "Hi." } });
    await tc.until(() => tc.of("mark").length === 2, "the reply");
    for (const m of tc.of("mark")) tc.mark(m.mark.name);
    await eventually(
      () => stub.stats(),
      (s) => s.confirmedMarks === 2,
      "echoes",
    );
    await realtimeTrigger(key, "speech_started");
    await eventually(
      () => stub.stats(),
      (s) => s.speechStarts === 1,
      "the object to hear speech_started",
    );
    const events = (await realtimeState(key)).connections[0]!.events.map((e) => e.type);
    expect(events).not.toContain("conversation.item.truncate");
    expect(events).not.toContain("response.cancel");
    expect(tc.of("clear")).toHaveLength(0);
    tc.stop(t.accountSid);
  });
});
