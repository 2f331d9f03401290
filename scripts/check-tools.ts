/**
 * `npm run check:tools`: Node-side checks of the call tools (they run in Node, not in workerd, so they are not
 * part of the vitest suite). Units against published vectors, then one short simulated call end to end through
 * the Node relay and the fake OpenAI in assistant mode.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import twilio from "twilio";
import WebSocket from "ws";
import { FrameMatcher, makeFrame } from "../bench/bridge/frames";
import { startFakeRealtime } from "./lib/fake-realtime";
import { concatBytes, encodeMulawSample, MULAW_DECODE, mulawRms, pcmToMulaw, silence, synthSpeech } from "./lib/mulaw";
import { parseStream, twilioSignature } from "./lib/twiml-call";
import { type CallUpdate, type DialedLeg, TwilioRestStandIn } from "./lib/twilio-rest-standin";
import { mulawToWavMulaw, mulawToWavPcm16, readWavAsMulaw8k } from "./lib/wav";
import { SCOPES } from "../src/auth/scopes";
import { ALL_SCOPES as DEV_SCOPES } from "./dev-env.mjs";

const ROOT = new URL("..", import.meta.url).pathname;

test("npm run token mints every scope of src/auth/scopes.ts by default", () => {
  assert.deepEqual([...(DEV_SCOPES as string[])].sort(), Object.keys(SCOPES).sort());
});

test("mu-law matches the G.711 reference points (protocols.md §8)", () => {
  assert.deepEqual(
    [0x00, 0x80, 0xff, 0x7f, 0x7e].map((b) => MULAW_DECODE[b]),
    [-32124, 32124, 0, 0, -8],
  );
  assert.deepEqual([0, 32767, -32768].map(encodeMulawSample), [0xff, 0x80, 0x00]);
  for (let b = 0; b < 256; b++) if (b !== 0x7f) assert.equal(encodeMulawSample(MULAW_DECODE[b]!), b, `byte ${b}`);
});

test("WAV: mu-law survives PCM16 and mu-law files; other rates and stereo are converted", () => {
  const audio = concatBytes([synthSpeech(300), silence(100)]);
  assert.deepEqual(readWavAsMulaw8k(mulawToWavPcm16(audio)), audio);
  assert.deepEqual(readWavAsMulaw8k(mulawToWavMulaw(audio)), audio);
  // 16 kHz stereo PCM, 0.5 s → 4000 samples at 8 kHz mono.
  const pcm = new DataView(new ArrayBuffer(44 + 16000 * 2 * 2));
  const head = mulawToWavPcm16(new Uint8Array(16000 * 2));
  new Uint8Array(pcm.buffer).set(head.subarray(0, 44));
  pcm.setUint16(22, 2, true);
  pcm.setUint32(24, 16000, true);
  for (let i = 0; i < 16000; i++) {
    pcm.setInt16(44 + i * 4, 8000, true);
    pcm.setInt16(44 + i * 4 + 2, 8000, true);
  }
  const out = readWavAsMulaw8k(new Uint8Array(pcm.buffer));
  assert.equal(out.length, 8000);
  assert.equal(MULAW_DECODE[out[100]!], MULAW_DECODE[pcmToMulaw(Int16Array.of(8000))[0]!]);
  assert.throws(() => readWavAsMulaw8k(new TextEncoder().encode("not a wav file at all")), /RIFF/);
});

test("webhook signature: the twilio helper gives the published vector", () => {
  const sig = twilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", {
    CallSid: "CA1234567890ABCDE",
    Caller: "+14158675309",
    Digits: "1234",
    From: "+14158675309",
    To: "+18005551212",
  });
  assert.equal(sig, "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
});

test("TwiML: stream URL and parameters, entities decoded, wss mapped to ws only for an http base", () => {
  const twiml =
    `<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://example.com/streams/CA1">` +
    `<Parameter name="To" value="+1555"/><Parameter name="Note" value="a &amp; b &quot;c&quot;"/></Stream></Connect></Response>`;
  const remote = parseStream(twiml, "https://example.com");
  assert.deepEqual(remote, {
    twimlUrl: "wss://example.com/streams/CA1",
    connectUrl: "wss://example.com/streams/CA1",
    parameters: { To: "+1555", Note: 'a & b "c"' },
  });
  assert.equal(parseStream(twiml, "http://127.0.0.1:8787")?.connectUrl, "ws://example.com/streams/CA1");
  assert.equal(parseStream("<Response><Say>hi</Say></Response>", "http://x"), null);
});

test("Twilio REST stand-in (simulate-call --translate): a dial, a TwiML update, a status callback Twilio would sign", async () => {
  const account = `AC${"cd".repeat(16)}`;
  const dials: DialedLeg[] = [];
  const updates: CallUpdate[] = [];
  const standIn = await TwilioRestStandIn.listen(0, account, {
    onDial: (l) => dials.push(l),
    onUpdate: (u) => updates.push(u),
  });
  after(() => standIn.close());
  const received: { url: string; params: Record<string, string>; signature: string }[] = [];
  const worker = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      received.push({
        url: `http://127.0.0.1:${port}${req.url}`,
        params,
        signature: String(req.headers["x-twilio-signature"]),
      });
      res.end('{"accepted":true}');
    });
  });
  await new Promise<void>((r) => worker.listen(0, "127.0.0.1", r));
  after(() => worker.close());
  const port = (worker.address() as AddressInfo).port;
  const post = (path: string, form: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
    return fetch(`${standIn.url}/2010-04-01/Accounts/${account}${path}`, { method: "POST", body });
  };
  const created = await post("/Calls.json", {
    To: "+32470000123",
    From: "+15005550006",
    Twiml: "<Response/>",
    StatusCallback: `http://127.0.0.1:${port}/api/TwilioCalls/legstatus?call=CA1`,
    StatusCallbackEvent: ["completed"],
    Timeout: "30",
  });
  assert.equal(created.status, 201);
  const call = (await created.json()) as { sid: string; status: string };
  assert.match(call.sid, /^CA[0-9a-f]{32}$/);
  assert.equal(dials[0]?.timeoutSec, 30);
  assert.deepEqual(dials[0]?.events, ["completed"]);
  assert.equal((await post(`/Calls/${call.sid}.json`, { Status: "canceled" })).status, 200);
  assert.deepEqual(updates, [{ sid: call.sid, twiml: null, status: "canceled" }]);
  assert.equal((await post("/Messages.json", {})).status, 404);
  const answer = await standIn.statusCallback(dials[0]!, "no-answer", account, "check-token");
  assert.deepEqual(answer, { status: 200, body: '{"accepted":true}' });
  const cb = received[0]!;
  assert.equal(cb.params.CallStatus, "no-answer");
  assert.ok(twilio.validateRequest("check-token", cb.signature, cb.url, cb.params), "signed as Twilio signs");
});

test("bench frames are found whole, re-chunked, and never for another call", () => {
  const m = new FrameMatcher(7, 1000);
  assert.deepEqual([...m.match(makeFrame(7, 42))], [42]);
  assert.deepEqual([...m.match(makeFrame(8, 43))], []);
  const stream = Buffer.concat([makeFrame(7, 1), makeFrame(7, 2), makeFrame(7, 3)]);
  const r = new FrameMatcher(7, 1000);
  const found: number[] = [];
  for (let o = 0; o < stream.length; o += 100) found.push(...r.match(stream.subarray(o, o + 100)));
  assert.deepEqual(found, [1, 2, 3]);
});

test("echo fake returns each appended frame as a delta with the same audio", async () => {
  const fake = await startFakeRealtime({ port: 0, mode: "echo" });
  after(() => fake.close());
  const ws = new WebSocket(`${fake.url.replace("http", "ws")}/v1/realtime?model=gpt-realtime`, {
    headers: { Authorization: "Bearer sk-x" },
  });
  const audio = makeFrame(1, 5).toString("base64");
  const types: string[] = [];
  const delta = await new Promise<string>((resolve) => {
    ws.on("message", (d) => {
      const e = JSON.parse(d.toString()) as { type: string; delta?: string };
      types.push(e.type);
      if (e.type === "session.created") ws.send(JSON.stringify({ type: "input_audio_buffer.append", audio }));
      if (e.type === "response.output_audio.delta") resolve(e.delta!);
    });
  });
  ws.close();
  assert.equal(delta, audio);
  assert.deepEqual(types, [
    "session.created",
    "response.created",
    "response.output_item.added",
    "response.output_audio.delta",
  ]);
});

test("echo fake answers response.create (a welcome) with 20 ms of silence, then response.done", async () => {
  const fake = await startFakeRealtime({ port: 0, mode: "echo" });
  after(() => fake.close());
  const ws = new WebSocket(`${fake.url.replace("http", "ws")}/v1/realtime?model=gpt-realtime`, {
    headers: { Authorization: "Bearer sk-x" },
  });
  const types: string[] = [];
  let delta = "";
  await new Promise<void>((resolve) => {
    ws.on("message", (d) => {
      const e = JSON.parse(d.toString()) as { type: string; delta?: string };
      types.push(e.type);
      if (e.type === "session.created") ws.send(JSON.stringify({ type: "response.create" }));
      if (e.type === "response.output_audio.delta") delta = e.delta!;
      if (e.type === "response.done") resolve();
    });
  });
  ws.close();
  assert.deepEqual([...Buffer.from(delta, "base64")], new Array(160).fill(0xff));
  assert.deepEqual(types, ["session.created", "response.created", "response.output_audio.delta", "response.done"]);
});

test("simulate-call plays a WAV through the Node relay to the assistant fake and saves what came back", {
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "check-tools-"));
  const wav = join(dir, "in.wav");
  writeFileSync(wav, mulawToWavPcm16(concatBytes([silence(300), synthSpeech(1000), silence(1500)])));
  const creds = ["--account-sid", `AC${"ab".repeat(16)}`, "--auth-token", "check-token"];
  const children: ChildProcess[] = [];
  after(() => children.forEach((c) => c.kill()));
  const start = (file: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const c = spawn(process.execPath, ["--import", "tsx", join(ROOT, file), ...args], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.push(c);
      c.stdout!.on("data", (d: Buffer) => /listening on/.test(d.toString()) && resolve());
      c.once("exit", (code) => reject(new Error(`${file} exited ${code}`)));
    });
  await start("scripts/fake-openai.ts", ["--port", "9110", "--quiet"]);
  await start("bench/bridge/node-relay.ts", ["--port", "9111", "--openai", "http://127.0.0.1:9110/v1", ...creds]);
  const out = join(dir, "out.wav");
  const run = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "scripts/simulate-call.ts"),
      "--base",
      "http://127.0.0.1:9111",
      ...creds,
      "--to",
      "+15550100000",
      "--wav",
      wav,
      "--seconds",
      "4",
      "--dtmf",
      "1@1",
      "--out",
      out,
      "--demo",
      join(dir, "none.json"),
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
  assert.equal(run.status, 0, run.stderr + run.stdout);
  assert.match(run.stdout, /← 200/);
  assert.match(run.stdout, /sent 200 media frames/);
  const received = Number(/received (\d+) media frames/.exec(run.stdout)?.[1]);
  assert.ok(received > 0, run.stdout);
  assert.match(run.stdout, new RegExp(`${received} marks \\(${received} echoed\\)`));
  const heard = readWavAsMulaw8k(readFileSync(out));
  assert.ok(mulawRms(heard) > 100, "the saved reply is not silence");
});
