import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { CallRow } from "../../src/db/calls";
import type { CallEvent, Webhook } from "../fakes/twilio-events";
import type { FakeCall } from "../fakes/twilio";
import { admin, api, BASE, json, repToken, twilioFake, type Tenant } from "../helpers";
import { assistantTenant, type AssistantTenant } from "../live/live-helpers";

export const OUTBOUND_SCOPES = "calls:write campaigns:write voice:read";

export interface OutboundTenant extends AssistantTenant {
  /** A rep token with the outbound scopes. */
  caller: string;
}

export async function outboundTenant(opts: Parameters<typeof assistantTenant>[0] = {}): Promise<OutboundTenant> {
  const t = await assistantTenant(opts);
  return { ...t, caller: await repToken(t.repId, { scope: OUTBOUND_SCOPES }) };
}

export const endUser = () => `+32470${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;

export const placeCall = (t: OutboundTenant, body: Record<string, unknown>, token = t.caller) =>
  api("/api/v1/voice-calls", { method: "POST", token, json: body });

/** The calls the fake Twilio was asked to create for the tenant, oldest first. */
export async function createdCalls(t: Tenant): Promise<FakeCall[]> {
  const calls = (await (await twilioFake(`/calls?accountSid=${t.accountSid}`)).json()) as FakeCall[];
  return calls.filter((c) => c.direction === "outbound-api");
}

/** Moves a call on at the fake Twilio and answers the (signed) webhooks Twilio would send for it. */
export async function twilioEvent(callSid: string, e: CallEvent): Promise<Webhook[]> {
  const res = await twilioFake(`/calls/${callSid}/events`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(e),
  });
  if (!res.ok) throw new Error(`event ${e.event}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { webhooks: Webhook[] }).webhooks;
}

/** Delivers a webhook to the Worker as Twilio does (form body, its signature). */
export function deliver(w: Webhook): Promise<Response> {
  if (!w.url.startsWith(BASE)) throw new Error(`webhook outside the Worker: ${w.url}`);
  return api(w.url.slice(BASE.length), {
    method: "POST",
    body: new URLSearchParams(w.params).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": w.signature },
  });
}

/** The event, every webhook delivered (each must be accepted); the responses in order. */
export async function happen(callSid: string, e: CallEvent): Promise<Response[]> {
  const out: Response[] = [];
  for (const w of await twilioEvent(callSid, e)) {
    const res = await deliver(w);
    expect(res.status, `${w.url} → ${res.status}`).toBe(200);
    out.push(res);
  }
  return out;
}

export const callRow = (id: string) =>
  env.DB.prepare("SELECT * FROM calls WHERE id = ?1").bind(id).first<CallRow>() as Promise<CallRow>;

export async function tenantCallCount(customerId: number): Promise<number> {
  return (await env.DB.prepare("SELECT COUNT(*) AS n FROM calls WHERE customer_id = ?1")
    .bind(customerId)
    .first<{ n: number }>())!.n;
}

/** A campaign set up through the admin API (all-day calling hours unless given). */
export async function createCampaign(t: OutboundTenant, body: Record<string, unknown> = {}) {
  const res = await admin(`/customers/${t.customerId}/campaigns`, {
    method: "POST",
    json: {
      name: "Renewals",
      assistantId: t.assistantId,
      callerId: t.assistantNumber,
      callingHours: { start: "00:00", end: "24:00" },
      ...body,
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return json<{ id: number } & Record<string, unknown>>(res);
}

export const uploadContacts = (t: OutboundTenant, campaignId: number, body: string, type: string, query = "") =>
  api(`/api/v1/campaigns/${campaignId}/contacts${query}`, {
    method: "POST",
    token: t.caller,
    body,
    headers: { "Content-Type": type },
  });

export const controlCampaign = (t: OutboundTenant, campaignId: number, action: "start" | "pause" | "resume") =>
  api(`/api/v1/campaigns/${campaignId}/${action}`, { method: "POST", token: t.caller });

export const campaignStub = (customerId: number, campaignId: number) =>
  env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(`campaign:${customerId}:${campaignId}`));
