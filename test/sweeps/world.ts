import { env } from "cloudflare:workers";
import { insertCall } from "../../src/db/calls";
import { insertRecording } from "../../src/db/recordings";
import { insertSegmentStmt } from "../../src/db/transcripts";
import { TOOLS_ORIGIN } from "../tools-origin";
import { admin, api, hex, json, provisionTenant, type Tenant } from "../helpers";
import { wavBytes } from "../seed/calls";
import type { Ids } from "./route-table";

/** A tenant with one of everything an id can name, each carrying `marker` so a leak is visible in any answer. */
export interface Seeded {
  t: Tenant;
  ids: Ids;
  marker: string;
}

async function created<T = { id: number }>(res: Response, what: string): Promise<T> {
  if (res.status !== 201) throw new Error(`seed ${what}: ${res.status} ${await res.text()}`);
  return json<T>(res);
}

/**
 * Builds the tenant through the provisioning API and the product's own db functions (no queue, no alarm: nothing
 * is left running that could write while a sweep counts rows).
 */
export async function seedTenant(opts: { openai?: boolean } = {}): Promise<Seeded> {
  const t = await provisionTenant(opts);
  const marker = `secret-${hex(6)}`;
  const base = `/customers/${t.customerId}`;
  const assistant = await created(
    await admin(`${base}/assistants`, { method: "POST", json: { name: marker, instructions: marker } }),
    "assistant",
  );
  const tool = await created(
    await admin(`${base}/assistants/${assistant.id}/tools`, {
      method: "POST",
      json: { name: "lookup", description: marker, url: `${TOOLS_ORIGIN}/lookup` },
    }),
    "tool",
  );
  const campaign = await created(
    await admin(`${base}/campaigns`, {
      method: "POST",
      json: { name: marker, survey: { questions: [{ text: marker }] } },
    }),
    "campaign",
  );
  const ticket = await created(
    await api("/api/tickets", { method: "POST", token: t.token, json: { channel: "web", subject: marker } }),
    "ticket",
  );
  const message = await api(`/api/tickets/${ticket.id}/messages`, {
    method: "POST",
    token: t.token,
    json: { senderType: "CustomerRep", text: marker },
  });
  if (message.status !== 201) throw new Error(`seed message: ${message.status} ${await message.text()}`);
  const callSid = `CA${hex(16)}`;
  const now = new Date().toISOString();
  const call = await insertCall(env.DB, {
    customer_id: t.customerId,
    carrier: "twilio",
    direction: "Outbound",
    state: "Completed",
    mode: "assistant",
    call_sid: callSid,
    campaign_id: campaign.id,
    ticket_id: ticket.id,
    start_time: now,
    end_time: now,
    duration_seconds: 1,
    outcome: marker,
  });
  await env.DB.batch([
    insertSegmentStmt(env.DB, {
      callId: call.id,
      customerId: t.customerId,
      senderType: "EndUser",
      text: marker,
      offsetMs: 0,
    }),
  ]);
  const key = `recordings/${t.customerId}/${call.id}/v1.wav`;
  const wav = wavBytes(800);
  await env.RECORDINGS.put(key, wav, { httpMetadata: { contentType: "audio/wav" } });
  const recording = await insertRecording(env.DB, {
    customer_id: t.customerId,
    call_id: call.id,
    ticket_id: ticket.id,
    r2_key: key,
    source: "live",
    duration_ms: 100,
    channels: 2,
    size_bytes: wav.length,
    started_at: now,
    ended_at: now,
  });
  return {
    t,
    marker,
    ids: {
      customer: String(t.customerId),
      rep: String(t.repId),
      ticket: String(ticket.id),
      call: call.id,
      callSid,
      assistant: String(assistant.id),
      tool: String(tool.id),
      campaign: String(campaign.id),
      recording: recording.id,
      accountSid: t.accountSid,
      authToken: t.authToken,
      repNumber: t.repNumber,
    },
  };
}

let tables: string[] | undefined;

/** Rows in every table of the database, keyed by table: what a refused request must leave as it was. */
export async function rowCounts(): Promise<Record<string, number>> {
  tables ??= (
    await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'",
    ).all<{ name: string }>()
  ).results.map((r) => r.name);
  const counts = await env.DB.batch<{ n: number }>(
    tables.map((t) => env.DB.prepare(`SELECT COUNT(*) AS n FROM "${t}"`)),
  );
  return Object.fromEntries(tables.map((t, i) => [t, counts[i]!.results[0]!.n]));
}
