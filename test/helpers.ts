import { SignJWT } from "jose";
import { env, exports } from "cloudflare:workers";
import { inject } from "vitest";

export const BASE = "https://voicedesk.test";

/** Calls the Worker exactly as production does, through its default export's fetch. */
export function api(path: string, init: RequestInit & { json?: unknown; token?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(init.json);
  }
  return exports.default.fetch(new Request(BASE + path, { ...init, headers, body }));
}

export const admin = (path: string, init: RequestInit & { json?: unknown } = {}) =>
  api(`/api/admin${path}`, { ...init, token: env.ADMIN_TOKEN });

export const hex = (n: number) =>
  [...crypto.getRandomValues(new Uint8Array(n))].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function repToken(
  repId: number,
  opts: { scope?: string; expiresIn?: string | number; secret?: string; sub?: string; alg?: string } = {},
): Promise<string> {
  return new SignJWT({ scope: opts.scope ?? "voice:read audio:download tickets:write" })
    .setProtectedHeader({ alg: opts.alg ?? "HS256" })
    .setSubject(opts.sub ?? String(repId))
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? "1h")
    .sign(new TextEncoder().encode(opts.secret ?? env.JWT_SECRET));
}

/** Control channel of the fake Twilio (runs in Node, reached over loopback). */
export const twilioFake = (path: string, init?: RequestInit) => fetch(`${inject("twilioBaseUrl")}/__fake${path}`, init);

/** Control channel of the fake OpenAI; its control paths live beside the API under the same origin. */
export const openaiFake = (path: string, init?: RequestInit) =>
  fetch(`${inject("openaiBaseUrl").replace(/\/v1$/, "")}/__fake${path}`, init);

export interface Tenant {
  customerId: number;
  accountSid: string;
  authToken: string;
  apiKeySid: string;
  apiKeySecret: string;
  twimlAppSid: string;
  openaiKey: string | null;
  repId: number;
  repIdentity: string;
  repNumber: string;
  token: string;
}

/**
 * A fresh tenant through the real provisioning API, registered with the fake Twilio: one customer,
 * one rep who owns one number, and a rep token with every scope.
 */
export async function provisionTenant(
  opts: { openai?: boolean; transcriptionActive?: boolean; region?: string; edge?: string; scope?: string } = {},
): Promise<Tenant> {
  const accountSid = `AC${hex(16)}`;
  const apiKeySid = `SK${hex(16)}`;
  const apiKeySecret = `secret_${hex(12)}`;
  const authToken = hex(16);
  const twimlAppSid = `AP${hex(16)}`;
  const openaiKey = opts.openai === false ? null : `sk-test-${hex(12)}`;
  const repNumber = `+3225${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
  const res = await admin("/customers", {
    method: "POST",
    json: {
      name: `Tenant ${accountSid.slice(-6)}`,
      twilio: {
        accountSid,
        authToken,
        apiKeySid,
        apiKeySecret,
        twimlAppSid,
        region: opts.region ?? "ie1",
        edge: opts.edge ?? "dublin",
      },
      ...(openaiKey ? { openai: { apiKey: openaiKey, transcriptionActive: opts.transcriptionActive ?? true } } : {}),
    },
  });
  if (res.status !== 201) throw new Error(`provisionTenant: ${res.status} ${await res.text()}`);
  const customer = (await res.json()) as { id: number };
  const repRes = await admin(`/customers/${customer.id}/reps`, {
    method: "POST",
    json: { name: "Rep One", phoneNumbers: [repNumber] },
  });
  if (repRes.status !== 201) throw new Error(`provisionTenant rep: ${repRes.status} ${await repRes.text()}`);
  const rep = (await repRes.json()) as { id: number; identity: string };
  await twilioFake("/accounts", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ accountSid, apiKeySid, apiKeySecret, authToken, numbers: [] }),
  });
  return {
    customerId: customer.id,
    accountSid,
    authToken,
    apiKeySid,
    apiKeySecret,
    twimlAppSid,
    openaiKey,
    repId: rep.id,
    repIdentity: rep.identity,
    repNumber,
    token: await repToken(rep.id, { scope: opts.scope }),
  };
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
