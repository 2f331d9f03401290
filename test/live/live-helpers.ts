import { env } from "cloudflare:workers";
import { twilioSignature } from "../../src/carriers/twilio/signature";
import { admin, api, BASE, hex, openaiFake, provisionTenant, twilioFake, type Tenant } from "../helpers";
import { getCall } from "../../src/db/calls";
import type { ToolCallRow } from "../../src/db/tool-calls";
import type { RealtimeScript, Reply } from "../fakes/openai/realtime-state";
import { eventually, type StreamClient } from "./stream-client";

export const newCallSid = () => `CA${hex(16)}`;

export interface AssistantTenant extends Tenant {
  assistantId: number;
  assistantNumber: string;
}

/**
 * A tenant whose number is answered by an assistant, and owned by its rep (whom the 'dial' fallback calls and
 * transfer_to_human hands over to) unless `owned` is false.
 */
export async function assistantTenant(
  opts: { welcome?: string | null; aiFallback?: "dial" | "apology"; openai?: boolean; owned?: boolean } = {},
): Promise<AssistantTenant> {
  const t = await provisionTenant({ openai: opts.openai });
  const a = await admin(`/customers/${t.customerId}/assistants`, {
    method: "POST",
    json: {
      name: "Front desk",
      instructions: "You are the front desk of Acme. Be brief.",
      voice: "cedar",
      language: "en",
      ...(opts.welcome === null ? {} : { welcomeMessage: opts.welcome ?? "Welcome to Acme, how can I help?" }),
    },
  });
  const assistant = (await a.json()) as { id: number };
  const assistantNumber = `+3226${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
  const n = await admin(`/customers/${t.customerId}/phone-numbers`, {
    method: "POST",
    json: { number: assistantNumber, assistantId: assistant.id, ...(opts.owned === false ? {} : { repId: t.repId }) },
  });
  if (n.status !== 201) throw new Error(`number: ${n.status} ${await n.text()}`);
  if (opts.aiFallback)
    await admin(`/customers/${t.customerId}`, { method: "PATCH", json: { aiFallback: opts.aiFallback } });
  return { ...t, assistantId: assistant.id, assistantNumber };
}

/** Twilio's voice webhook, signed with the tenant's auth token over the public URL. */
export async function postTwilio(t: Tenant, path: string, fields: Record<string, string>): Promise<Response> {
  const params = new URLSearchParams({ AccountSid: t.accountSid, ...fields });
  const sig = await twilioSignature(t.authToken, BASE + path, params);
  return api(path, {
    method: "POST",
    body: params.toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig },
  });
}

export interface StreamTwiml {
  url: string;
  path: string;
  parameters: Record<string, string>;
}

const unxml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

export function parseStreamTwiml(xml: string): StreamTwiml {
  const url = /<Stream url="([^"]+)"/.exec(xml)?.[1];
  if (!url) throw new Error(`no <Stream> in ${xml}`);
  const parameters: Record<string, string> = {};
  for (const m of xml.matchAll(/<Parameter name="([^"]*)" value="([^"]*)"\/>/g))
    parameters[unxml(m[1]!)] = unxml(m[2]!);
  return { url: unxml(url), path: new URL(unxml(url).replace(/^ws/, "http")).pathname, parameters };
}

/** Registers the call with the fake Twilio so REST updates of it (fallback redirects) succeed. */
export async function registerCall(t: Tenant, callSid: string, fields: Record<string, string> = {}) {
  await twilioFake(`/calls/${callSid}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ account_sid: t.accountSid, status: "in-progress", direction: "inbound", ...fields }),
  });
}

export async function twilioRequests(t: Tenant) {
  return (await (await twilioFake(`/requests?accountSid=${t.accountSid}`)).json()) as {
    method: string;
    path: string;
    params: Record<string, string>;
  }[];
}

// ── the fake realtime server ──

export async function realtimeScript(apiKey: string, script: RealtimeScript) {
  const r = await openaiFake("/realtime/script", { method: "POST", body: JSON.stringify({ apiKey, ...script }) });
  if (!r.ok) throw new Error(`script: ${await r.text()}`);
}

/** The model's next reply on the key's newest connection, right now (`user_turn`: after the caller spoke). */
export async function realtimeReply(apiKey: string, reply: Reply, action: "respond" | "user_turn" = "respond") {
  const r = await openaiFake("/realtime/trigger", { method: "POST", body: JSON.stringify({ apiKey, action, reply }) });
  if (!r.ok) throw new Error(`reply: ${await r.text()}`);
}

/** The model calls a tool without saying anything first. */
/**
 * The model calls a tool without speaking. Waits for the call's realtime session first: a call just started may
 * not have opened it yet, and the fake refuses a reply with no open connection.
 */
export async function silentToolCall(
  apiKey: string,
  name: string,
  args = "{}",
  action: "respond" | "user_turn" = "respond",
) {
  await eventually(
    () => realtimeState(apiKey),
    (s) => s.connections.some((c) => c.open && c.session !== null),
    "an open realtime session",
  );
  return realtimeReply(
    apiKey,
    { chunks: 0, chunkBytes: 0, transcript: "", functionCall: { name, arguments: args } },
    action,
  );
}

export interface FakeConnection {
  id: number;
  open: boolean;
  closeCode: number | null;
  session: {
    instructions?: string;
    audio?: { input?: Record<string, unknown>; output?: { voice?: string } };
    tools?: { type: string; name: string; description: string; parameters: Record<string, unknown> }[];
  } | null;
  events: { type: string; [k: string]: unknown }[];
  appends: number;
  appendsBeforeSession: number;
  audioBytes: number;
  audioBase64: string;
  items: Record<string, number>;
  functionCalls: { callId: string; name: string; arguments: string; output: string | null }[];
}

export async function realtimeState(apiKey: string): Promise<{ refused: number; connections: FakeConnection[] }> {
  return (await openaiFake(`/realtime/state?apiKey=${encodeURIComponent(apiKey)}`)).json();
}

export async function realtimeTrigger(
  apiKey: string,
  action: string,
  connection?: number,
  extra: { lateChunks?: number } = {},
) {
  const r = await openaiFake("/realtime/trigger", {
    method: "POST",
    body: JSON.stringify({ apiKey, action, connection, ...extra }),
  });
  if (!r.ok) throw new Error(`trigger ${action}: ${await r.text()}`);
}

export const callStub = (callSid: string) => env.CALLS.get(env.CALLS.idFromName(callSid));

export const b64Concat = (payloads: string[]) => btoa(payloads.map((p) => atob(p)).join(""));

/** The call's latest recording from R2, as non-silent sample counts per channel. */
export async function recordingOfCall(customerId: number, callId: string) {
  const { latestRecordingOfCall } = await import("../../src/db/recordings");
  const { parseWav } = await import("../audio/reference");
  const row = await latestRecordingOfCall(env.DB, customerId, callId);
  if (!row) return null;
  const obj = await env.RECORDINGS.get(row.r2_key);
  const wav = parseWav(new Uint8Array(await obj!.arrayBuffer()));
  let left = 0;
  let right = 0;
  for (let i = 0; i < wav.pcm!.length; i += 2) {
    if (wav.pcm![i] !== 0) left++;
    if (wav.pcm![i + 1] !== 0) right++;
  }
  return { row, wav, left, right, frames: wav.pcm!.length / 2 };
}

// ── what a call left behind ──

export const toolCallsOf = async (t: Tenant, callId: string) =>
  (
    await env.DB.prepare("SELECT * FROM tool_calls WHERE customer_id = ?1 AND call_id = ?2 ORDER BY id")
      .bind(t.customerId, callId)
      .all<ToolCallRow>()
  ).results;

export const closedCall = (t: Tenant, callId: string) =>
  eventually(
    () => getCall(env.DB, t.customerId, callId),
    (c) => c?.state === "Completed",
    "the call record to close",
  );

/** The carrier played everything it was sent: every mark echoed. */
export const playAll = (tc: StreamClient) => {
  for (const m of tc.of("mark")) tc.mark(m.mark.name);
};
