/**
 * bench/recording, inside workerd: the ways to decode a frame's base64 payload into the batch's buffer at an
 * offset, as FrameBatcher.add must (src/live/frame-batcher.ts), priced per 160-byte frame. Payloads come both
 * as flat strings and as slices of a Twilio frame's text (what a live call's parser hands the batcher). Variants
 * take turns; the first round warms V8 up and is printed but not counted. docs/performance.md, "Round six" and
 * "Round seven".
 */
import { it } from "vitest";
import { decodeBase64Into } from "../../src/live/frame-batcher";
import { sampleFrames } from "./sample-frames";

const DECODES = 200_000;
const ROUNDS = 5;
const fromBase64 = (Uint8Array as unknown as { fromBase64(s: string): Uint8Array }).fromBase64;
// workerd's clock moves only across I/O: a timer before and after each timed block makes the interval real.
const tick = () => new Promise((r) => setTimeout(r, 0));

/** Decodes one payload into `buf` at `at`. */
type Way = (payload: string, buf: Uint8Array, at: number) => void;
/** FrameBatcher's scratch: a fixed view at the end of its buffer, made once (src/live/frame-batcher.ts). */
const SCRATCH_AT = (1 << 16) - 8192;
let scratch: Uint8Array | null = null;
const ways: Record<string, Way> = {
  "setFromBase64 into a fixed view, then copyWithin (FrameBatcher's way)": (p, buf, at) => {
    if (scratch?.buffer !== buf.buffer) scratch = buf.subarray(SCRATCH_AT);
    if (decodeBase64Into(p, scratch)) buf.copyWithin(at, SCRATCH_AT, SCRATCH_AT + 160);
  },
  "setFromBase64 into a subarray at the offset (round six's way)": (p, buf, at) => {
    decodeBase64Into(p, buf.subarray(at, at + 160));
  },
  "Uint8Array.fromBase64, then set": (p, buf, at) => buf.set(fromBase64(p), at),
  "atob and a charCodeAt loop": (p, buf, at) => {
    const s = atob(p);
    for (let k = 0; k < s.length; k++) buf[at + k] = s.charCodeAt(k);
  },
};

it("prices decoding a frame's payload", async () => {
  const { payloads: flat, media: frames } = sampleFrames();
  const payloadOf = /"payload":"([A-Za-z0-9+/=]*)"/;
  const sliced = frames.map((f) => payloadOf.exec(f)![1]!);
  const buf = new Uint8Array(1 << 16);
  // Every way must write the same bytes, or its price means nothing.
  const expected = Uint8Array.from(atob(flat[5]!), (c) => c.charCodeAt(0));
  for (const way of Object.values(ways)) {
    buf.fill(0);
    way(sliced[5]!, buf, 160);
    if (!buf.subarray(160, 320).every((b, i) => b === expected[i])) throw new Error("a decode way wrote other bytes");
  }
  const perFrame = new Map<string, number[]>();
  for (let round = 0; round <= ROUNDS; round++)
    for (const [name, way] of Object.entries(ways))
      for (const [kind, payloads] of [
        ["flat", flat],
        ["sliced", sliced],
      ] as const) {
        await tick();
        const t0 = Date.now();
        for (let i = 0, at = 0; i < DECODES; i++, at = at + 320 > SCRATCH_AT ? 0 : at + 160)
          way(payloads[i & 63]!, buf, at);
        await tick();
        const key = `${name} [${kind}]`;
        perFrame.set(key, [...(perFrame.get(key) ?? []), ((Date.now() - t0) * 1000) / DECODES]);
      }
  console.log(`\ndecoding one 160-byte frame's base64 in workerd (${DECODES} frames a round; µs per frame):`);
  for (const [k, v] of perFrame) {
    const counted = v.slice(1).sort((a, b) => a - b);
    console.log(
      `  ${k.padEnd(84)} median ${counted[Math.floor(counted.length / 2)]!.toFixed(2)}  rounds, sorted ${counted.map((x) => x.toFixed(2)).join(" ")}  (warm-up ${v[0]!.toFixed(2)})`,
    );
  }
});
