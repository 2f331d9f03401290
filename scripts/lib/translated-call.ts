/**
 * `npm run simulate-call -- --translate`: a rep's translated call, played as Twilio would (docs/simulate-call.md).
 * The rep's leg posts the signed voice webhook (`/api/TwilioCalls/voice?…Translate=true`) and streams; the Worker
 * dials the receiver through the Twilio REST stand-in (twilio-rest-standin.ts), which then plays the receiver:
 * no answer, busy or failed (a signed status callback), silent (the Worker's dial timeout decides), or an answer
 * (the receiver's own media stream). It prints what the rep hears (ringback, then the message or the
 * interpretation), saves it as a WAV, and shows the call record's state and outcome.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { concatBytes, silence, synthSpeech } from "./mulaw";
import { newSid, parseStream, postVoiceWebhook } from "./twiml-call";
import { TwilioMediaClient } from "./twilio-media-client";
import { type DialedLeg, TwilioRestStandIn } from "./twilio-rest-standin";
import { mulawToWavPcm16 } from "./wav";

export const RECEIVER_BEHAVIOURS = ["no-answer", "busy", "failed", "silent", "answer"] as const;
export type ReceiverBehaviour = (typeof RECEIVER_BEHAVIOURS)[number];

export interface TranslatedCallOptions {
  base: string;
  accountSid: string;
  authToken: string;
  repId: string;
  repNumber: string;
  repToken: string | null;
  to: string;
  callerLanguage: string;
  receiverLanguage: string;
  receiver: ReceiverBehaviour;
  ringSeconds: number;
  /** The longest the rep stays on the line. */
  seconds: number;
  twilioPort: number;
  repAudio: Uint8Array;
  out: string | null;
}

const unxml = (s: string) =>
  s
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Plays `audio` on a stream at real-time pace (one 160-byte frame per 20 ms) while `go()` holds. */
async function play(client: TwilioMediaClient, audio: Uint8Array, frames: number, go: () => boolean) {
  const t0 = performance.now();
  for (let f = 0; f < frames && go(); f++) {
    const wait = t0 + f * 20 - performance.now();
    if (wait > 0) await sleep(wait);
    const chunk = audio.subarray(f * 160, f * 160 + 160);
    client.media(chunk.length === 160 ? chunk : concatBytes([chunk, silence(20).subarray(chunk.length)]), f * 20);
    client.pump();
  }
}

export async function runTranslatedCall(o: TranslatedCallOptions): Promise<number> {
  const t0 = performance.now();
  const log = (s: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(2).padStart(6)}s] ${s}`);
  const repSid = newSid("CA");
  const reported = new Set<string>();
  let hangUp: string | null = null;
  let answered = false;
  const seen = { ringback: 0, after: 0, clears: 0 };

  const report = async (leg: DialedLeg, status: string) => {
    if (reported.has(leg.sid)) return;
    reported.add(leg.sid);
    const answer = await standIn
      .statusCallback(leg, status, o.accountSid, o.authToken)
      .then((r) => (r ? `${r.status} ${r.body}` : "no StatusCallback was asked for"))
      .catch((e: unknown) => `failed: ${String(e)}`);
    log(`⇠ status callback CallStatus=${status} → ${answer}`);
  };
  const receiverActs = async (leg: DialedLeg) => {
    if (reported.has(leg.sid) || hangUp) return;
    if (o.receiver === "silent")
      return log("  the receiver's phone keeps ringing; no status comes (the dial timeout decides)");
    if (o.receiver !== "answer") return report(leg, o.receiver);
    const target = parseStream(leg.twiml, o.base);
    if (!target) return log(`  the dial's TwiML has no <Stream>: ${leg.twiml}`);
    log(`  the receiver answers: its stream opens on ${target.connectUrl} (Leg=${target.parameters.Leg})`);
    const rx = new TwilioMediaClient(target.connectUrl, {
      callSid: leg.sid,
      accountSid: o.accountSid,
      customParameters: target.parameters,
    });
    await rx.opened();
    rx.start();
    answered = true;
    const speech = concatBytes([silence(800), synthSpeech(1400, 210), silence(3000), synthSpeech(1000, 230)]);
    const open = () => rx.ws.readyState === rx.ws.OPEN && !hangUp;
    await play(rx, speech, Math.ceil((o.seconds * 1000) / 20), open);
    if (rx.ws.readyState === rx.ws.OPEN) rx.ws.close(1000, "receiver done");
  };

  const standIn = await TwilioRestStandIn.listen(o.twilioPort, o.accountSid, {
    onDial(leg) {
      log(`⇢ Twilio REST: the Worker dials ${leg.to} from ${leg.from}, Timeout ${leg.timeoutSec ?? "-"} s`);
      log(`  StatusCallback ${leg.statusCallback ?? "(none)"} [${leg.events.join(" ")}]`);
      setTimeout(() => void receiverActs(leg), o.ringSeconds * 1000);
    },
    onUpdate(u) {
      const who = u.sid === repSid ? "the rep's call" : "the receiver's leg";
      if (u.twiml) {
        log(`⇢ Twilio REST: new TwiML for ${who}: ${u.twiml.replace(/^<\?xml[^>]*>/, "")}`);
        const say = /<Say([^>]*)>([^<]*)<\/Say>/.exec(u.twiml);
        if (say) log(`  ${who === "the rep's call" ? "the rep" : "the receiver"} hears: "${unxml(say[2]!)}"${say[1]}`);
      }
      if (u.status) log(`⇢ Twilio REST: the Worker sets ${who} to ${u.status}`);
      if (u.sid === repSid) hangUp ??= "Twilio runs the new TwiML: the media stream stops";
      const leg = standIn.legs.get(u.sid);
      if (leg && u.status) void report(leg, u.status);
    },
  }).catch((e: unknown) => {
    throw new Error(`the Twilio REST stand-in cannot listen on port ${o.twilioPort}: ${String(e)}`);
  });
  console.log(
    `Twilio REST stand-in on ${standIn.url} (start the Worker with --var TWILIO_API_BASE_URL:${standIn.url})`,
  );

  const query = new URLSearchParams({
    RepID: o.repId,
    FromNumber: o.repNumber,
    To: o.to,
    Record: "false",
    Translate: "true",
    CallerLanguage: o.callerLanguage,
    ReceiverLanguage: o.receiverLanguage,
  });
  const path = `/api/TwilioCalls/voice?${query}`;
  log(`→ POST ${o.base}${path} (signed, CallSid ${repSid})`);
  const creds = { accountSid: o.accountSid, authToken: o.authToken };
  const hook = await postVoiceWebhook(o.base, creds, {
    callSid: repSid,
    path,
    from: o.repNumber,
    to: o.to,
    extra: { Direction: "outbound-api" },
  });
  log(`← ${hook.status} ${hook.stream ? `<Stream url=${hook.stream.twimlUrl}>` : hook.twiml.slice(0, 300)}`);
  if (!hook.stream) {
    await standIn.close();
    return 1;
  }
  const callId = hook.stream.parameters.CallId ?? null;
  const rep = new TwilioMediaClient(
    hook.stream.connectUrl,
    { callSid: repSid, accountSid: o.accountSid, customParameters: hook.stream.parameters },
    {
      recordHeard: true,
      onEvent(e) {
        if (e.event === "media" && seen.clears === 0 && seen.ringback++ === 0)
          log("← ringback: the rep hears the receiver's phone ringing");
        else if (e.event === "media" && seen.clears > 0 && seen.after++ === 0)
          log("← the interpretation reaches the rep");
        else if (e.event === "clear" && seen.clears++ === 0)
          log(`← clear: the ringback stops (${seen.ringback} frames, ${(seen.ringback / 50).toFixed(1)} s)`);
      },
    },
  );
  await rep.opened();
  rep.start();
  log(`→ the rep's stream starts (${o.callerLanguage} → ${o.receiverLanguage}); the rep speaks now and then`);
  const live = () => !hangUp && rep.ws.readyState === rep.ws.OPEN;
  await play(rep, o.repAudio, Math.ceil((o.seconds * 1000) / 20), live);
  if (rep.ws.readyState === rep.ws.OPEN) {
    rep.stop();
    log(`→ stop: ${hangUp ?? (answered ? "the rep hangs up" : "the rep hangs up while it rings")}`);
    rep.ws.close(1000, "call ended");
  }
  await sleep(1500); // the Worker cancels a ringing leg, closes the record
  if (o.out) {
    mkdirSync(dirname(resolve(o.out)), { recursive: true });
    writeFileSync(o.out, mulawToWavPcm16(rep.heardTimeline()));
    console.log(`saved what the rep heard on the stream (ringback, interpretation) to ${o.out}`);
  }
  if (callId && o.repToken) {
    for (let i = 0; i < 20; i++) {
      const r = await fetch(`${o.base}/api/v1/voice-calls/${callId}`, {
        headers: { Authorization: `Bearer ${o.repToken}` },
      });
      const c = (await r.json()) as { state?: string; outcome?: string | null; endTime?: string | null };
      if (c.endTime || i === 19) {
        console.log(`call record ${callId}: state ${c.state}, outcome ${c.outcome ?? "(none)"}`);
        break;
      }
      await sleep(500);
    }
  }
  await standIn.close();
  return 0;
}
