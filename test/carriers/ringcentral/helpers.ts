import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { inject } from "vitest";
import type { RingCentralAccount } from "../../../src/carriers/ringcentral/account";
import { admin, hex } from "../../helpers";
import worker from "../../worker";

/** Control channel of the RingCentral fake (test/fakes/ringcentral-control.ts). */
export async function rcFake<T = unknown>(path: string, body?: unknown, method = body === undefined ? "GET" : "POST") {
  const res = await fetch(`${inject("ringcentralBaseUrl")}/__fake${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`rcFake ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? null : await res.json()) as T;
}

export interface RcTenant {
  customerId: number;
  account: RingCentralAccount;
  extensionId: string;
}

/**
 * A fresh customer with a RingCentral account, provisioned through the admin API, and its app and JWT user
 * registered with the fake. Webhooks of the fake reach the test through the outbox (relay).
 */
export async function provisionRingCentral(
  opts: { mode?: RingCentralAccount["mode"]; aiLine?: string | null; tokenTtl?: number } = {},
): Promise<RcTenant> {
  const input = {
    clientId: `cid_${hex(8)}`,
    clientSecret: `secret_${hex(12)}`,
    jwt: `eyJ.${hex(24)}.sig`,
    mode: opts.mode ?? "answer",
    aiLine: opts.aiLine === undefined ? (opts.mode === "forward-to-ai" ? "+3225550100" : null) : opts.aiLine,
  };
  const res = await admin("/customers", {
    method: "POST",
    json: { name: `RC tenant ${hex(3)}`, ringcentral: input },
  });
  if (res.status !== 201) throw new Error(`provisionRingCentral: ${res.status} ${await res.text()}`);
  const { id: customerId } = (await res.json()) as { id: number };
  const extensionId = String(400000000000 + Math.floor(Math.random() * 1e9));
  await rcFake("/apps", { ...input, extensionId, relay: true, tokenTtl: opts.tokenTtl });
  return { customerId, account: { customerId, ...input }, extensionId };
}

export interface Answered {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends a request to the Worker's entry, as RingCentral would, and waits for the work it left running (the action)
 * to finish.
 */
export async function callWebhook(request: Request): Promise<Answered> {
  const ctx = createExecutionContext();
  // As the runtime hands it to the entry: an incoming request (its `cf` is the runtime's business here).
  const res = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, env, ctx);
  const body = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, headers: Object.fromEntries(res.headers), body };
}

interface Delivery {
  id: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Takes the fake's next webhook for this app, runs it through the Worker, and gives the fake the answer. */
export async function relayOne(clientId: string): Promise<Answered> {
  const d = await rcFake<Delivery | null>(`/outbox/next?clientId=${encodeURIComponent(clientId)}&timeoutMs=10000`);
  if (!d) throw new Error("no webhook from the RingCentral fake");
  const answered = await callWebhook(
    new Request(d.url, { method: "POST", headers: d.headers, body: d.body === "" ? undefined : d.body }),
  );
  await rcFake(`/outbox/${d.id}`, answered);
  return answered;
}

export interface Notified {
  /** What our webhook answered. */
  answered: Answered;
  notification: { body: { sequence: number } };
}

/** The fake notifies (POST with the subscription's Verification-Token unless told otherwise) and we answer. */
export async function notify(t: RcTenant, args: Record<string, unknown>): Promise<Notified> {
  const [sent, answered] = await Promise.all([
    rcFake<{ notification: Notified["notification"] }>("/notify", { clientId: t.account.clientId, ...args }),
    relayOne(t.account.clientId),
  ]);
  return { answered, notification: sent.notification };
}

/** An inbound call ringing the tenant's extension, in the fake. */
export const ringCall = (t: RcTenant, from = "+32470123456", extra: Record<string, unknown> = {}) =>
  rcFake<{ telephonySessionId: string; partyId: string }>("/calls", {
    clientId: t.account.clientId,
    from,
    to: "+3225550199",
    ...extra,
  });

export const commands = (t: RcTenant) =>
  rcFake<{ action: string; telephonySessionId: string; partyId: string; body: Record<string, unknown> }[]>(
    `/commands?clientId=${t.account.clientId}`,
  );
export const tokenRequests = (t: RcTenant) =>
  rcFake<{ grantType: string }[]>(`/token-requests?clientId=${t.account.clientId}`);
export const apiRequests = (t: RcTenant) =>
  rcFake<{ method: string; path: string; status: number }[]>(`/requests?clientId=${t.account.clientId}`);
export const failNext = (
  t: RcTenant,
  f: { pathPattern: string; status: number; times?: number; retryAfter?: string },
) => rcFake("/fail", { clientId: t.account.clientId, ...f });
export const setDevices = (t: RcTenant, devices: { id: string; status: "Online" | "Offline" }[]) =>
  rcFake("/devices", { extensionId: t.extensionId, devices });

/** A sleep that records the waits instead of waiting: retry tests assert the policy, not the clock. */
export function recordedSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}
