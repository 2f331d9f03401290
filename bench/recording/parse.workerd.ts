/**
 * bench/recording, inside workerd: what reading a round trip's three incoming frames costs the bridge (a caller's
 * `media`, the model's audio delta, the carrier's `mark` echo), the project's way against the bare Worker's
 * (`bench/bridge/bare-worker/`: JSON.parse and a field read). The project reads the hot frames with anchored
 * regular expressions and falls back to JSON.parse (src/carriers/twilio/media-wire.ts, src/ai/realtime.ts); the
 * general JSON path is priced too. Each way is first checked to read the same payload. docs/performance.md,
 * "Round nine".
 */
import { it } from "vitest";
import { parseServerEvent, parseServerEventJson } from "../../src/ai/realtime";
import { parseTwilioJson, twilioWire } from "../../src/carriers/twilio/media-wire";
import { sampleFrames, STREAM_SID as sid } from "./sample-frames";

const PARSES = 200_000;
const ROUNDS = 5;
// workerd's clock moves only across I/O: a timer before and after each timed block makes the interval real.
const tick = () => new Promise((r) => setTimeout(r, 0));

it("prices reading a round trip's frames", async () => {
  const { payloads, media } = sampleFrames();
  const marks = payloads.map(
    (_, k) => `{"event":"mark","sequenceNumber":"${k + 2}","streamSid":"${sid}","mark":{"name":"m${k + 1}"}}`,
  );
  const deltas = payloads.map(
    (p, k) =>
      `{"type":"response.output_audio.delta","event_id":"event_${k}","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"${p}"}`,
  );
  /** Each way returns what the bridge needs of the frame: the payload, or the mark's name. */
  const ways: Record<string, (i: number) => string | undefined> = {
    "media: twilioWire.parse (the project)": (i) => {
      const r = twilioWire.parse(media[i & 63]!);
      return r.ok && r.event.kind === "media" ? r.event.payload : undefined;
    },
    "media: parseTwilioJson (its general path)": (i) => {
      const r = parseTwilioJson(media[i & 63]!);
      return r.ok && r.message.event === "media" ? r.message.media.payload : undefined;
    },
    "media: JSON.parse (the bare Worker)": (i) =>
      (JSON.parse(media[i & 63]!) as { media: { payload: string } }).media.payload,
    "mark: twilioWire.parse (the project)": (i) => {
      const r = twilioWire.parse(marks[i & 63]!);
      return r.ok && r.event.kind === "mark" ? r.event.name : undefined;
    },
    "mark: JSON.parse (the bare Worker)": (i) => (JSON.parse(marks[i & 63]!) as { mark: { name: string } }).mark.name,
    "delta: parseServerEvent (the project)": (i) => {
      const e = parseServerEvent(deltas[i & 63]!);
      return e?.type === "response.output_audio.delta" ? e.delta : undefined;
    },
    "delta: parseServerEventJson (its general path)": (i) => {
      const e = parseServerEventJson(deltas[i & 63]!);
      return e?.type === "response.output_audio.delta" ? e.delta : undefined;
    },
    "delta: JSON.parse (the bare Worker)": (i) => (JSON.parse(deltas[i & 63]!) as { delta: string }).delta,
  };
  // Every way must read what the frame holds, or its price means nothing.
  for (const [name, way] of Object.entries(ways)) {
    const want = name.startsWith("mark") ? "m6" : payloads[5];
    if (way(5) !== want) throw new Error(`${name} read something else`);
  }
  let read = 0;
  const perFrame = new Map<string, number[]>();
  for (let round = 0; round <= ROUNDS; round++)
    for (const [name, way] of Object.entries(ways)) {
      await tick();
      const t0 = Date.now();
      for (let i = 0; i < PARSES; i++) read += way(i)?.length ?? 0;
      await tick();
      perFrame.set(name, [...(perFrame.get(name) ?? []), ((Date.now() - t0) * 1000) / PARSES]);
    }
  if (read === 0) throw new Error("nothing was read");
  console.log(`\nreading one incoming frame in workerd (${PARSES} frames a round; µs per frame):`);
  for (const [k, v] of perFrame) {
    const counted = v.slice(1).sort((a, b) => a - b);
    console.log(
      `  ${k.padEnd(48)} median ${counted[Math.floor(counted.length / 2)]!.toFixed(2)}  rounds, sorted ${counted.map((x) => x.toFixed(2)).join(" ")}  (warm-up ${v[0]!.toFixed(2)})`,
    );
  }
});
