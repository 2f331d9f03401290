/**
 * `npm run simulate-call`: plays Twilio for one inbound call against a local or deployed Worker. It posts the
 * signed voice webhook, opens the `<Stream>` the TwiML names, speaks the Media Streams protocol at real-time
 * pace (one 160-byte mu-law frame per 20 ms), prints what comes back, echoes marks as Twilio does, sends `stop`,
 * and saves what the caller would have heard as a WAV. Defaults come from `.wrangler/demo.json` (`npm start`).
 * With `--translate`, a rep's translated call instead (scripts/lib/translated-call.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { concatBytes, silence, synthSpeech } from "./lib/mulaw";
import { newSid, postVoiceWebhook, twilioSignature } from "./lib/twiml-call";
import { TwilioMediaClient, type ServerEvent } from "./lib/twilio-media-client";
import { RECEIVER_BEHAVIOURS, type ReceiverBehaviour, runTranslatedCall } from "./lib/translated-call";
import { mulawToWavPcm16, readWavAsMulaw8k } from "./lib/wav";
import { runTelnyxCall } from "./lib/telnyx-call";

const USAGE = `usage: npm run simulate-call -- [options]
  --base URL          Worker origin (default: baseUrl of .wrangler/demo.json)
  --account-sid AC…   tenant's Twilio account SID (default: demo tenant)
  --auth-token TOKEN  tenant's Twilio auth token, signs the webhook (default: demo tenant)
  --to +E164          number called: an assistant's number (default: demo assistantNumber;
                      with --translate the receiver, default +32470000123)
  --from +E164        caller (default: +15555550123; with --translate the demo repNumber)
  --wav FILE          audio to play: 8 kHz mu-law or 16-bit PCM WAV (default: synthetic speech bursts)
  --seconds N         call length; audio is padded with silence or cut (default: audio + 5 s)
  --dtmf D@S,…        send DTMF digit D at S seconds, e.g. 1@3,#@4.5
  --out FILE          where to save the returned audio (default: .wrangler/simulate-call/<CallSid>.wav)
  --demo FILE         demo file to read defaults from (default: .wrangler/demo.json)
  --verbose           print every server message, not bursts
translated call (the Worker must run with --var TWILIO_API_BASE_URL:http://127.0.0.1:<twilio-port>):
  --translate         a rep's translated call through /api/TwilioCalls/voice instead of an inbound call
  --receiver WHAT     no-answer | busy | failed | silent | answer (default: no-answer)
  --ring N            seconds the receiver rings before that (default: 6)
  --caller-language L the rep's language (default: en-US); --receiver-language L (default: fr-FR)
  --twilio-port N     port of the local Twilio REST stand-in (default: 9200)
a Telnyx call (the Worker must run with --var TELNYX_API_BASE_URL:http://127.0.0.1:<telnyx-port>/v2):
  --carrier telnyx    an inbound Telnyx call through /api/webhooks/telnyx/voice (default carrier: twilio)
  --telnyx-port N     port of the local fake Telnyx (default: 9300)`;

const { values } = parseArgs({
  options: {
    base: { type: "string" },
    "account-sid": { type: "string" },
    "auth-token": { type: "string" },
    to: { type: "string" },
    from: { type: "string" },
    wav: { type: "string" },
    seconds: { type: "string" },
    dtmf: { type: "string" },
    out: { type: "string" },
    demo: { type: "string", default: ".wrangler/demo.json" },
    verbose: { type: "boolean", default: false },
    translate: { type: "boolean", default: false },
    receiver: { type: "string", default: "no-answer" },
    ring: { type: "string", default: "6" },
    "caller-language": { type: "string", default: "en-US" },
    "receiver-language": { type: "string", default: "fr-FR" },
    "twilio-port": { type: "string", default: "9200" },
    carrier: { type: "string", default: "twilio" },
    "telnyx-port": { type: "string", default: "9300" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function fail(message: string): never {
  console.error(`simulate-call: ${message}`);
  process.exit(1);
}

interface Demo {
  baseUrl?: string;
  accountSid?: string;
  authToken?: string;
  assistantNumber?: string;
  repId?: number;
  repNumber?: string;
  repToken?: string;
  adminToken?: string;
  customerId?: number;
}
const demoPath = resolve(values.demo);
const demo: Demo = existsSync(demoPath) ? (JSON.parse(readFileSync(demoPath, "utf8")) as Demo) : {};
const base = values.base ?? demo.baseUrl;
const accountSid = values["account-sid"] ?? demo.accountSid;
const authToken = values["auth-token"] ?? demo.authToken;
const translate = values.translate;
const to = values.to ?? (translate ? "+32470000123" : demo.assistantNumber);
const from = values.from ?? (translate ? demo.repNumber : "+15555550123");
const missing = [
  !base && "--base",
  !accountSid && "--account-sid",
  !authToken && "--auth-token",
  !to && "--to",
  !from && "--from",
].filter(Boolean);
if (missing.length || !base || !accountSid || !authToken || !to || !from) {
  fail(`missing ${missing.join(", ")} (no ${values.demo}: run \`npm start\` first or pass them)\n${USAGE}`);
}

let audio: Uint8Array;
if (values.wav) {
  try {
    audio = readWavAsMulaw8k(readFileSync(values.wav));
  } catch (e) {
    fail(`${values.wav}: ${e instanceof Error ? e.message : String(e)}`);
  }
} else {
  // Two "utterances" with pauses long enough for server VAD to end each turn and let the assistant answer.
  audio = concatBytes([silence(1000), synthSpeech(1600, 140), silence(3500), synthSpeech(1200, 180), silence(3000)]);
}
const seconds = values.seconds ? Number(values.seconds) : audio.length / 8000 + 5;
if (!(seconds > 0)) fail("--seconds must be a positive number");

if (values.carrier === "telnyx") {
  if (!demo.adminToken || !demo.customerId)
    fail(`--carrier telnyx provisions the demo tenant: run \`npm start\` first`);
  const result = await runTelnyxCall({
    base,
    adminToken: demo.adminToken,
    customerId: demo.customerId,
    to,
    from,
    audio,
    seconds,
    port: Number(values["telnyx-port"]),
    verbose: values.verbose,
    log: (line) => console.log(line),
  }).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
  const out = values.out ?? ".wrangler/simulate-call/telnyx.wav";
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, mulawToWavPcm16(result.heard));
  console.log(`\n${result.summary}`);
  console.log(`saved what the caller heard (${(result.heard.length / 8000).toFixed(2)} s, in arrival order) to ${out}`);
  process.exit(0);
} else if (values.carrier !== "twilio") fail("--carrier must be twilio or telnyx");
if (translate) {
  const receiver = values.receiver as ReceiverBehaviour;
  if (!RECEIVER_BEHAVIOURS.includes(receiver)) fail(`--receiver must be one of ${RECEIVER_BEHAVIOURS.join(", ")}`);
  if (!demo.repId) fail(`no rep: --translate needs the demo tenant's rep (${values.demo}; run \`npm start\`)`);
  const code = await runTranslatedCall({
    base,
    accountSid,
    authToken,
    repId: String(demo.repId),
    repNumber: from,
    repToken: demo.repToken ?? null,
    to,
    callerLanguage: values["caller-language"],
    receiverLanguage: values["receiver-language"],
    receiver,
    ringSeconds: Number(values.ring),
    seconds: values.seconds ? seconds : Math.max(seconds, Number(values.ring) + 40),
    twilioPort: Number(values["twilio-port"]),
    repAudio: audio,
    out: values.out ?? ".wrangler/simulate-call/translated.wav",
  }).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
  process.exit(code);
}
const totalFrames = Math.ceil((seconds * 1000) / 20);
const dtmf = (values.dtmf ?? "")
  .split(",")
  .filter(Boolean)
  .map((s) => {
    const m = /^([0-9*#A-D])@(\d+(?:\.\d+)?)$/.exec(s.trim());
    if (!m) fail(`--dtmf: "${s}" is not DIGIT@SECONDS`);
    return { digit: m[1]!, frame: Math.round((Number(m[2]) * 1000) / 20) };
  });

// ── 1. the signed voice webhook ──
console.log(`→ POST ${base}/twiml  From=${from} To=${to} (AccountSid ${accountSid})`);
const hook = await postVoiceWebhook(base, { accountSid, authToken }, { callSid: newSid("CA"), from, to }).catch(
  (e: unknown) =>
    fail(`webhook failed: ${e instanceof Error ? e.message : String(e)} (is the Worker running at ${base}?)`),
);
console.log(`← ${hook.status}  CallSid ${hook.callSid}`);
console.log(
  hook.twiml
    .trim()
    .split("\n")
    .map((l) => `   ${l}`)
    .join("\n"),
);
if (hook.status !== 200)
  fail(
    `the webhook answered ${hook.status}${hook.status === 403 ? " (signature, AccountSid or auth token wrong?)" : ""}`,
  );
if (!hook.stream) fail("the TwiML has no <Stream>: nothing to connect to");
const stream = hook.stream;
console.log(`→ WebSocket ${stream.connectUrl}  parameters: ${Object.keys(stream.parameters).join(", ") || "none"}`);

// ── 2. the media stream ──
const t0 = performance.now();
const clock = (at = performance.now()) => `[${((at - t0) / 1000).toFixed(2).padStart(6)}s]`;
let burst: { startedAt: number; lastAt: number; frames: number; bytes: number; marks: number } | null = null;
const endBurst = () => {
  if (!burst) return;
  console.log(
    `${clock(burst.startedAt)} ← media: ${burst.frames} frames, ${(burst.bytes / 8000).toFixed(2)} s of audio, ${burst.marks} marks`,
  );
  burst = null;
};
const burstIdle = () => burst !== null && performance.now() - burst.lastAt > 300;
const onEvent = (e: ServerEvent) => {
  if (values.verbose) {
    const what =
      e.event === "media"
        ? `media ${e.payload.length} bytes`
        : e.event === "mark"
          ? `mark ${e.name}`
          : e.event === "other"
            ? JSON.stringify(e.raw).slice(0, 300)
            : e.event === "malformed"
              ? `malformed: ${e.text}`
              : e.event;
    return console.log(`${clock(e.at)} ← ${what}`);
  }
  if (e.event === "media" || e.event === "mark") {
    burst ??= { startedAt: e.at, lastAt: e.at, frames: 0, bytes: 0, marks: 0 };
    burst.lastAt = e.at;
    if (e.event === "media") {
      burst.frames++;
      burst.bytes += e.payload.length;
    } else burst.marks++;
    return;
  }
  endBurst();
  if (e.event === "clear") console.log(`${clock(e.at)} ← clear (unplayed audio dropped, pending marks echoed)`);
  else if (e.event === "other") console.log(`${clock(e.at)} ← ${JSON.stringify(e.raw).slice(0, 300)}`);
  else console.log(`${clock(e.at)} ← malformed frame: ${e.text}`);
};
const client = new TwilioMediaClient(
  stream.connectUrl,
  { callSid: hook.callSid, accountSid, customParameters: stream.parameters },
  { recordHeard: true, onEvent, headers: { "X-Twilio-Signature": twilioSignature(authToken, stream.twimlUrl, {}) } },
);
await client.opened().catch((e: unknown) => fail(`media stream: ${e instanceof Error ? e.message : String(e)}`));
let serverClosed: { code: number; reason: string } | null = null;
const closed = client.closed().then((c) => {
  serverClosed = c;
  return c;
});
client.start();
console.log(
  `${clock()} → connected, start (streamSid ${client.streamSid}); playing ${seconds.toFixed(1)} s ${values.wav ? `of ${values.wav}` : "of synthetic speech"}`,
);

// Absolute schedule, so timer jitter never accumulates into drift.
const streamStart = performance.now();
for (let frame = 0; frame < totalFrames && !serverClosed; frame++) {
  const due = streamStart + frame * 20;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const offset = frame * 160;
  const chunk = offset < audio.length ? audio.subarray(offset, offset + 160) : new Uint8Array(0);
  client.media(chunk.length === 160 ? chunk : concatBytes([chunk, silence(20).subarray(chunk.length)]), frame * 20);
  for (const d of dtmf.filter((x) => x.frame === frame)) {
    console.log(`${clock()} → dtmf ${d.digit}`);
    client.dtmf(d.digit);
  }
  client.pump();
  if (burstIdle()) endBurst();
}
endBurst();

// ── 3. hang up ──
if (serverClosed) {
  const c = serverClosed as { code: number; reason: string };
  console.log(`${clock()} the Worker closed the stream early: ${c.code} ${c.reason}`);
} else {
  client.stop();
  console.log(`${clock()} → stop`);
  const closedInTime = await Promise.race([closed, new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
  if (closedInTime)
    console.log(`${clock()} ← socket closed by the Worker: ${closedInTime.code} ${closedInTime.reason}`);
  else {
    client.ws.close(1000, "call ended");
    console.log(`${clock()} socket closed (Twilio closes after stop)`);
  }
}
endBurst();

const heard = client.heardTimeline();
const out = values.out ?? `.wrangler/simulate-call/${hook.callSid}.wav`;
mkdirSync(dirname(resolve(out)), { recursive: true });
writeFileSync(out, mulawToWavPcm16(heard));
const c = client.counts;
console.log(
  `\nsent ${totalFrames} media frames (${(totalFrames / 50).toFixed(1)} s); received ${c.mediaIn} media frames (${(c.bytesIn / 8000).toFixed(2)} s of audio), ` +
    `${c.marksIn} marks (${c.marksEchoed} echoed), ${c.clears} clears, ${c.other} other, ${c.malformed} malformed`,
);
console.log(`saved what the caller heard (${(heard.length / 8000).toFixed(2)} s, 8 kHz 16-bit PCM) to ${out}`);
process.exit(0);
