import { describe, expect, it } from "vitest";
import { matchAudioDelta, parseServerEvent, parseServerEventJson } from "../../src/ai/realtime";

const delta = btoa(String.fromCharCode(...Array.from({ length: 160 }, (_, i) => (i * 13) & 0xff)));
const openai = (d = delta, item = "item_C9Xx1", resp = "resp_C9Xx0") =>
  `{"type":"response.output_audio.delta","event_id":"event_C9Xx2","response_id":"${resp}","item_id":"${item}","output_index":0,"content_index":0,"delta":"${d}"}`;
const fake = (d = delta) =>
  JSON.stringify({
    event_id: "event_3_7",
    type: "response.output_audio.delta",
    response_id: "resp_echo_3",
    item_id: "item_echo_3",
    output_index: 0,
    content_index: 0,
    delta: d,
  });

const canonical = [openai(), openai(""), openai("/////w=="), fake(), fake("AA==")];
const odd = [
  JSON.stringify({ type: "response.output_audio.delta", item_id: "i", delta }),
  JSON.stringify({
    type: "response.output_audio.delta",
    response_id: "r",
    item_id: "i",
    delta,
    output_index: 0,
    content_index: 0,
  }),
  JSON.stringify({
    type: "response.output_audio.delta",
    event_id: "e",
    response_id: 5,
    item_id: "i",
    output_index: 0,
    content_index: 0,
    delta,
  }),
  openai(delta.replace("/", "\\/")),
  openai(delta, 'it\\"em'),
  openai(delta, "it\nem"),
  openai(delta, "it\\u0041em"),
  openai('AA"A'),
  openai().replace('"output_index":0', '"output_index":-1'),
  openai().replace('"output_index":0', '"output_index":1.5'),
  openai().replace('"content_index":0', '"content_index":"0"'),
  openai().replace("{", "{ "),
  `${openai().slice(0, -1)},"item_id":"other"}`,
  `${openai()}x`,
  openai().slice(0, -1),
  openai().replace("response.output_audio.delta", "response.output_audio.deltas"),
  openai().replace("response.output_audio.delta", "response.output_audio_transcript.delta"),
  JSON.stringify({ type: "response.created", response: { id: "r" } }),
  JSON.stringify({ type: "input_audio_buffer.speech_started", item_id: "i" }),
  "{}",
  "",
  "null",
  "{nope",
];

describe("OpenAI realtime audio delta matcher", () => {
  it("takes canonical deltas without JSON.parse, with JSON.parse's result", () => {
    for (const f of canonical) {
      const hot = matchAudioDelta(f);
      expect(hot, f).not.toBeNull();
      expect(hot).toEqual(parseServerEventJson(f));
    }
    expect(matchAudioDelta(openai())).toEqual({
      type: "response.output_audio.delta",
      response_id: "resp_C9Xx0",
      item_id: "item_C9Xx1",
      delta,
    });
  });

  it("agrees with JSON.parse on odd, malformed and randomly damaged events", () => {
    const check = (f: string) => {
      const hot = matchAudioDelta(f);
      const reference = parseServerEventJson(f);
      if (hot) expect(hot, f).toEqual(reference);
      expect(parseServerEvent(f), f).toEqual(reference);
      return hot !== null;
    };
    for (const f of odd) check(f);
    expect(parseServerEvent(openai(delta, "it\nem"))).toBeNull();
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const alphabet = '{}[]":,\\ \n0123456789abcdefAZ+/=-.\u0001';
    let hot = 0;
    for (let i = 0; i < 5000; i++) {
      let f = canonical[rnd(canonical.length)]!;
      for (let k = 1 + rnd(3); k > 0; k--) {
        const at = rnd(f.length + 1);
        const ch = alphabet[rnd(alphabet.length)]!;
        const op = rnd(3);
        f =
          op === 0
            ? f.slice(0, at) + ch + f.slice(at)
            : op === 1
              ? f.slice(0, at) + f.slice(at + 1)
              : f.slice(0, at) + ch + f.slice(at + 1);
      }
      if (check(f)) hot++;
    }
    expect(hot).toBeGreaterThan(100);
  });
});

describe("OpenAI realtime beta event names", () => {
  it("reads the beta API's audio delta and transcript as the GA events they were renamed to", () => {
    const beta = openai().replace('"response.output_audio.delta"', '"response.audio.delta"');
    expect(parseServerEvent(beta)).toEqual(parseServerEvent(openai()));
    const done = { type: "response.audio_transcript.done", item_id: "item_1", transcript: "Hello." };
    expect(parseServerEvent(JSON.stringify(done))).toEqual({ ...done, type: "response.output_audio_transcript.done" });
    expect(parseServerEvent(JSON.stringify({ type: "response.audio.delta", item_id: 1 }))).toBeNull();
  });
});
