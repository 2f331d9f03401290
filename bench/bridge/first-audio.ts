/**
 * Time to first AI audio: from the moment the carrier posts the voice webhook to the first `media` frame the
 * caller's stream receives, for an assistant with a welcome message (the model speaks first). The Worker opens
 * the call's OpenAI socket and asks for the welcome while answering the webhook (src/live/entry.ts,
 * `prepareLiveCall`), so the reply is usually waiting when the stream starts. The first call after the Worker
 * started is the cold one (no call object, no call-path code run yet, no socket to the model); the next ones
 * are warm. Calls run one at a time, before any load, so nothing else competes with them.
 */
import { postVoiceWebhook, type CallCredentials } from "../../scripts/lib/twiml-call";
import { TwilioMediaClient } from "../../scripts/lib/twilio-media-client";

export interface FirstAudio {
  /** Webhook posted → TwiML back (ms). */
  webhookMs: number;
  /** Webhook posted → the stream's socket open and `start` sent (ms). */
  streamMs: number;
  /** Webhook posted → first `media` frame received (ms): the time to first AI audio. */
  firstAudioMs: number;
}

async function oneCall(base: string, creds: CallCredentials, to: string, index: number): Promise<FirstAudio> {
  const t0 = performance.now();
  const hook = await postVoiceWebhook(base, creds, { from: `+1555200${String(1000 + index).slice(1)}`, to });
  if (hook.status !== 200 || !hook.stream) throw new Error(`first-audio call: POST /twiml → ${hook.status}`);
  const webhookMs = performance.now() - t0;
  let firstAt = 0;
  let heard: () => void = () => {};
  const first = new Promise<void>((resolve) => (heard = resolve));
  const client = new TwilioMediaClient(
    hook.stream.connectUrl,
    { callSid: hook.callSid, accountSid: creds.accountSid, customParameters: hook.stream.parameters },
    {
      onEvent: (e) => {
        if (e.event !== "media" || firstAt) return;
        firstAt = e.at;
        heard();
      },
    },
  );
  try {
    await client.opened();
    client.start();
    const streamMs = performance.now() - t0;
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("first-audio call: no AI audio within 15 s")), 15_000),
    );
    await Promise.race([first, timeout]);
    return { webhookMs, streamMs, firstAudioMs: firstAt - t0 };
  } finally {
    client.stop();
    await Promise.race([client.closed(), new Promise((r) => setTimeout(r, 2000))]);
    client.ws.terminate();
  }
}

/** `count` calls one after another: the first is the cold one. */
export async function measureFirstAudio(
  base: string,
  creds: CallCredentials,
  to: string,
  count: number,
): Promise<FirstAudio[]> {
  const out: FirstAudio[] = [];
  for (let i = 0; i < count; i++) {
    out.push(await oneCall(base, creds, to, i));
    await new Promise((r) => setTimeout(r, 300));
  }
  return out;
}
