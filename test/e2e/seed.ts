/**
 * Calls for the console to show, made through the Worker's real APIs against the fakes: inbound AI calls (a signed
 * `/twiml` webhook, then a Twilio Media Stream into the call's Durable Object, which talks to the fake OpenAI
 * Realtime socket: transcripts both ways, the stereo recording at `stop`, sentiment after the call) and an outbound
 * click-to-call (`/api/TwilioCalls/initiate-call` against the fake Twilio REST API).
 */
import { spawnSync } from "node:child_process";
import { concatBytes, silence, synthSpeech } from "../../scripts/lib/mulaw";
import { postVoiceWebhook, twilioSignature } from "../../scripts/lib/twiml-call";
import { TwilioMediaClient } from "../../scripts/lib/twilio-media-client";
import { keyState } from "../fakes/openai/realtime-state";
import { ROOT, type Stack } from "./stack";

/** The demo tenant's OpenAI key (scripts/start.mjs): the fakes keep their behaviour per key. */
const DEMO_OPENAI_KEY = "sk-demo-local";

export interface SeededCall {
  id: string;
  from: string;
  said: string;
  replied: string;
}

export interface Seeded {
  inbound: SeededCall[];
  outboundId: string;
  emptyCampaignId: number;
  repToken: string;
}

/**
 * Polls `check` until it returns a value. The deadline is a liveness bound (a hung stack fails the run with a
 * message instead of hanging it), far above what any step takes; nothing asserts how fast a step was.
 */
export async function until<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  deadlineMs = 90_000,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown = null;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
}

/** A rep token exactly as a person gets one: `npm run token`, reading the demo file `npm start` wrote. */
export function npmRunToken(stack: Stack, args: string[] = []): string {
  const r = spawnSync(process.execPath, ["scripts/token.mjs", ...args], {
    cwd: ROOT,
    env: { ...process.env, VOICEDESK_DEMO_FILE: stack.demoFile },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`npm run token failed: ${r.stderr}`);
  return r.stdout.trim();
}

async function api<T>(stack: Stack, token: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${stack.base}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...init.headers },
  });
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Detail {
  id: string;
  state: string;
  sentiment: string | null;
  transcript: { role: string; text: string }[];
}

/** One inbound call to the demo assistant: caller speech for a few seconds, then `stop`. */
async function inboundCall(stack: Stack, token: string, from: string, said: string, replied: string) {
  const { demo } = stack;
  keyState(DEMO_OPENAI_KEY).script = {
    speechAfterBytes: 8000,
    userTranscript: said,
    reply: { chunks: 6, chunkBytes: 800, transcript: replied },
  };
  // Sentiment is classified after the call with the tenant's key: the fake chat model answers once.
  await fetch(`${stack.openai.url}/__fake/chat/${DEMO_OPENAI_KEY}`, {
    method: "POST",
    body: JSON.stringify({ content: JSON.stringify({ sentiment: "positive" }) }),
  });
  const hook = await postVoiceWebhook(
    stack.base,
    { accountSid: demo.accountSid, authToken: demo.authToken },
    { from, to: demo.assistantNumber },
  );
  if (hook.status !== 200 || !hook.stream) throw new Error(`/twiml answered ${hook.status}: ${hook.twiml}`);
  const list = await api<{ items: { id: string }[] }>(stack, token, "/api/v1/voice-calls?pageSize=1");
  const id = list.items[0]!.id;

  const client = new TwilioMediaClient(
    hook.stream.connectUrl,
    { callSid: hook.callSid, accountSid: demo.accountSid, customParameters: hook.stream.parameters },
    { headers: { "X-Twilio-Signature": twilioSignature(demo.authToken, hook.stream.twimlUrl, {}) } },
  );
  await client.opened();
  client.start();
  const audio = concatBytes([silence(200), synthSpeech(1800), silence(1000)]);
  // Real-time pace (one 20 ms frame per tick), as Twilio streams; the recording lays frames by their timestamps.
  const begin = performance.now();
  for (let frame = 0; frame * 160 < audio.length; frame++) {
    const wait = begin + frame * 20 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    client.media(audio.subarray(frame * 160, frame * 160 + 160), frame * 20);
    client.pump();
  }
  // Both sides are in the transcript before the caller hangs up.
  await until("the live transcript", async () => {
    const d = await api<Detail>(stack, token, `/api/v1/voice-calls/${id}`);
    const texts = d.transcript.map((l) => l.text);
    return texts.includes(said) && texts.includes(replied);
  });
  const closed = client.closed();
  client.stop();
  await Promise.race([closed, new Promise((r) => setTimeout(r, 3000))]);
  client.ws.close(1000, "call ended");
  await until("the call to end with a recording and a sentiment", async () => {
    const d = await api<Detail>(stack, token, `/api/v1/voice-calls/${id}`);
    const rec = await fetch(`${stack.base}/api/v1/voice-calls/${id}/recording-url`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return d.state === "Completed" && d.sentiment === "positive" && rec.ok;
  });
  return { id, from, said, replied };
}

export async function seedCalls(stack: Stack): Promise<Seeded> {
  const { demo } = stack;
  const repToken = npmRunToken(stack);
  const register = await fetch(`${stack.twilio.url}/__fake/accounts`, {
    method: "POST",
    body: JSON.stringify({ accountSid: demo.accountSid, apiKeySid: demo.apiKeySid, apiKeySecret: demo.apiKeySecret }),
  });
  if (!register.ok) throw new Error(`fake Twilio: ${register.status}`);

  const inbound = [
    await inboundCall(
      stack,
      repToken,
      "+15555550123",
      "I would like to change my delivery address.",
      "Of course. Which address should we use?",
    ),
    await inboundCall(stack, repToken, "+15555550177", "Is my order on its way?", "Yes, it ships today."),
  ];
  const outbound = await api<{ callId: string }>(stack, repToken, "/api/TwilioCalls/initiate-call", {
    method: "POST",
    body: JSON.stringify({ fromNumber: demo.repNumber, toNumber: "+15555550199" }),
  });
  const campaign = await api<{ id: number }>(
    stack,
    demo.adminToken,
    `/api/admin/customers/${demo.customerId}/campaigns`,
    {
      method: "POST",
      body: JSON.stringify({ name: "Console e2e (no calls)" }),
    },
  );
  return { inbound, outboundId: outbound.callId, emptyCampaignId: campaign.id, repToken };
}
