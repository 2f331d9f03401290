/**
 * What Twilio does when a call reaches a number: POST the signed voice webhook (`{base}/twiml`), read the TwiML,
 * and find the media stream to open. The signature is made by the official `twilio` package, the reference the
 * Worker's own check must agree with.
 */
import { randomBytes } from "node:crypto";
import twilio from "twilio";

export interface CallCredentials {
  accountSid: string;
  authToken: string;
}

export interface StreamTarget {
  /** The `<Stream url>` exactly as the TwiML gave it (what Twilio signs on the upgrade). */
  twimlUrl: string;
  /** Where to connect from here: wss→ws when the Worker is reached over plain http (wrangler dev). */
  connectUrl: string;
  parameters: Record<string, string>;
}

export interface WebhookResult {
  callSid: string;
  status: number;
  twiml: string;
  stream: StreamTarget | null;
}

export const newSid = (prefix: string) => prefix + randomBytes(16).toString("hex");

export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

export async function postVoiceWebhook(
  base: string,
  creds: CallCredentials,
  call: {
    callSid?: string;
    from: string;
    to: string;
    path?: string;
    extra?: Record<string, string>;
    timeoutMs?: number;
  },
): Promise<WebhookResult> {
  const callSid = call.callSid ?? newSid("CA");
  const url = `${base.replace(/\/+$/, "")}${call.path ?? "/twiml"}`;
  const params: Record<string, string> = {
    AccountSid: creds.accountSid,
    ApiVersion: "2010-04-01",
    CallSid: callSid,
    CallStatus: "ringing",
    Called: call.to,
    Caller: call.from,
    Direction: "inbound",
    From: call.from,
    To: call.to,
    ...call.extra,
  };
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Twilio-Signature": twilioSignature(creds.authToken, url, params),
      "User-Agent": "TwilioProxy/1.1 (voicedesk simulate-call)",
    },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(call.timeoutMs ?? 30_000),
  });
  const twiml = await res.text();
  const stream = res.ok ? parseStream(twiml, base) : null;
  return { callSid, status: res.status, twiml, stream };
}

const unescapeXml = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
    const named: Record<string, string> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };
    if (e[0] !== "#") return named[e.toLowerCase()]!;
    return String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*("([^"]*)"|'([^']*)')/g))
    out[m[1]!] = unescapeXml(m[3] ?? m[4] ?? "");
  return out;
}

/** The first `<Stream>` of the TwiML with its `<Parameter>`s; null when the TwiML streams nothing. */
export function parseStream(twiml: string, base: string): StreamTarget | null {
  const open = /<Stream\b([^>]*?)(\/?)>/.exec(twiml);
  if (!open) return null;
  const twimlUrl = attributes(open[1]!).url;
  if (!twimlUrl) return null;
  const parameters: Record<string, string> = {};
  if (open[2] !== "/") {
    const end = twiml.indexOf("</Stream>", open.index);
    const inner = twiml.slice(open.index + open[0].length, end < 0 ? undefined : end);
    for (const p of inner.matchAll(/<Parameter\b([^>]*?)\/?>/g)) {
      const a = attributes(p[1]!);
      if (a.name !== undefined) parameters[a.name] = a.value ?? "";
    }
  }
  return { twimlUrl, connectUrl: connectableUrl(twimlUrl, base), parameters };
}

function connectableUrl(streamUrl: string, base: string): string {
  const resolved = new URL(streamUrl, base.replace(/^http/, "ws"));
  if (new URL(base).protocol === "http:" && resolved.protocol === "wss:") resolved.protocol = "ws:";
  return resolved.toString();
}
