import { env } from "cloudflare:workers";
import type { FakeCall } from "../../fakes/telnyx/calls";
import { admin, api } from "../../helpers";
import { assistantTenant, type AssistantTenant } from "../../live/live-helpers";
import { newTelnyxAccount, telnyxFake, type TelnyxAccount } from "./helpers";

/** A tenant with an assistant's number, provisioned on Telnyx too (its account on the fake Telnyx). */
export interface TelnyxTenant extends AssistantTenant {
  telnyx: TelnyxAccount;
}

export async function telnyxTenant(opts: Parameters<typeof assistantTenant>[0] = {}): Promise<TelnyxTenant> {
  const t = await assistantTenant(opts);
  const telnyx = await newTelnyxAccount();
  const res = await admin(`/customers/${t.customerId}`, {
    method: "PATCH",
    json: { telnyx: { apiKey: telnyx.apiKey, publicKey: telnyx.publicKey, connectionId: telnyx.connectionId } },
  });
  if (res.status !== 200) throw new Error(`telnyx account: ${res.status} ${await res.text()}`);
  return { ...t, telnyx };
}

export const randomCaller = () => `+32470${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;

/** A call the fake Telnyx knows (parked, inbound unless said otherwise), so call control can act on it. */
export const fakeTelnyxCall = (t: TelnyxTenant, from: string, to: string, direction?: "incoming" | "outgoing") =>
  telnyxFake<FakeCall>("/calls", { apiKey: t.telnyx.apiKey, from, to, ...(direction ? { direction } : {}) });

/** The ids and numbers every call event of this leg carries, as Telnyx sends them. */
export const legPayload = (c: FakeCall) => ({
  call_control_id: c.call_control_id,
  call_leg_id: c.call_leg_id,
  call_session_id: c.call_session_id,
  connection_id: c.connection_id,
  client_state: null,
  from: c.from,
  to: c.to,
  start_time: c.start_time,
});

export interface Delivery {
  eventType: string;
  payload: Record<string, unknown>;
  id?: string;
  occurredAt?: string;
  /** Unix seconds of the signature (now unless a test wants a stale one). */
  timestamp?: number;
  /** Signed by a key no account has. */
  stranger?: boolean;
}

/** A delivery signed by the fake Telnyx with the tenant's key (or a stranger's), not yet sent. */
export const signedDelivery = (t: Pick<TelnyxTenant, "telnyx">, d: Delivery) =>
  telnyxFake<{ body: string; headers: Record<string, string> }>("/webhooks/sign", {
    ...(d.stranger ? { stranger: true } : { apiKey: t.telnyx.apiKey }),
    event: { eventType: d.eventType, payload: d.payload, id: d.id, occurredAt: d.occurredAt },
    timestamp: d.timestamp,
  });

export const TELNYX_VOICE = "/api/webhooks/telnyx/voice";
export const TELNYX_AI = "/api/webhooks/telnyx/voice/conversational-ai";

/** POSTs a signed delivery to the Worker's webhook (the voice one unless `path` says). */
export const postDelivery = (s: { body: string; headers: Record<string, string> }, path = TELNYX_VOICE) =>
  api(path, { method: "POST", body: s.body, headers: s.headers });

/** Signs and sends one event, as Telnyx does. */
export async function sendTelnyx(t: Pick<TelnyxTenant, "telnyx">, d: Delivery, path = TELNYX_VOICE) {
  return postDelivery(await signedDelivery(t, d), path);
}

/** Every row a Telnyx webhook can write for a tenant: a refused request must leave all of them as they were. */
export async function tenantFootprint(customerId: number) {
  const counts: Record<string, number> = {};
  for (const table of [
    "calls",
    "tickets",
    "ticket_messages",
    "transcript_segments",
    "tool_calls",
    "recordings",
    "webhook_events",
    "telnyx_call_refs",
  ]) {
    const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE customer_id = ?1`)
      .bind(customerId)
      .first<{ n: number }>();
    counts[table] = row!.n;
  }
  return counts;
}
