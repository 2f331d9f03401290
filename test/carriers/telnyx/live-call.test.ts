import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MULAW_DECODE } from "../../../src/audio/mulaw";
import { getCall } from "../../../src/db/calls";
import { api } from "../../helpers";
import { assistantTenant, realtimeState, recordingOfCall } from "../../live/live-helpers";
import { eventually } from "../../live/stream-client";
import { telnyxDriver } from "../../live/telnyx-driver";
import { TelnyxStreamClient } from "../../live/telnyx-stream-client";

const frame = (byte: number) => btoa(String.fromCharCode(...new Uint8Array(160).fill(byte)));

/** The left channel's values in order, each run of equal samples once, silence left out. */
function runs(pcm: Int16Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < pcm.length; i += 2) {
    const v = pcm[i]!;
    if (v !== 0 && out.at(-1) !== v) out.push(v);
  }
  return out;
}

describe("a Telnyx call in the live engine", () => {
  it("media Telnyx delivers out of order is recorded in chunk/timestamp order", async () => {
    const t = await assistantTenant({ welcome: null });
    const answered = await telnyxDriver.answerAssistantCall(t, "+32470555001");
    const tc = (await answered.connect()) as TelnyxStreamClient;
    tc.start(t.accountSid, answered.parameters);
    const bytes = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60];
    const frames = bytes.map((b, i) => tc.frameAt(i + 1, i * 20, frame(b)));
    for (const i of [1, 0, 3, 2, 5, 4]) tc.send(frames[i]);
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections[0]?.appends === 6,
      "the six frames",
    );
    tc.stop();
    await eventually(
      () => getCall(env.DB, t.customerId, answered.parameters.CallId!),
      (c) => c?.state === "Completed",
      "the call to end",
    );
    const rec = await eventually(
      () => recordingOfCall(t.customerId, answered.parameters.CallId!),
      (r) => r !== null,
      "the recording",
    );
    expect(rec!.row).toMatchObject({ source: "live", channels: 2 });
    expect(runs(rec!.wav.pcm!)).toEqual(bytes.map((b) => MULAW_DECODE[b]));
    expect(rec!.left).toBe(6 * 160);
  });

  it("a stream route name outside a call_control_id's alphabet is a 404; a plain GET is a 400", async () => {
    expect((await api("/streams/telnyx/not.a.call", { headers: { Upgrade: "websocket" } })).status).toBe(404);
    expect(
      (await api(`/streams/telnyx/${encodeURIComponent("a b")}`, { headers: { Upgrade: "websocket" } })).status,
    ).toBe(404);
    expect((await api("/streams/telnyx/cc-1")).status).toBe(400); // a short test id names a stream too
    expect((await api(`/streams/telnyx/${encodeURIComponent("v3:abcdefgh12345678")}`)).status).toBe(400);
  });
});
