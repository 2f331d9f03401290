import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { getRecordingByCarrierSid } from "../../src/db/recordings";
import { pcmWav, putFakeRecording, twilioPost } from "../carriers/twilio/helpers";
import { hex, twilioFake, type Tenant } from "../helpers";
import { eventually } from "../live/stream-client";

/**
 * A recorded Twilio call the way it really happens: the voice webhook, the recording callback, the queued copy
 * and transcription. Returns once the transcript is on the ticket and the call.
 */
export async function recordedTwilioCall(t: Tenant) {
  const callSid = `CA${hex(16)}`;
  const recordingSid = `RE${hex(16)}`;
  const to = `+32470${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
  const voice = await twilioPost(
    "/api/TwilioCalls/voice",
    {
      AccountSid: t.accountSid,
      CallSid: callSid,
      From: `client:${t.repIdentity}`,
      FromNumber: t.repNumber,
      To: to,
      RepID: String(t.repId),
      Record: "true",
    },
    t.authToken,
  );
  expect(voice.status).toBe(200);
  await putFakeRecording(t.accountSid, recordingSid, pcmWav(1.5));
  const path = `/api/TwilioCalls/${t.repId}/recordingcallback?customFrom=${encodeURIComponent(t.repNumber)}&customTo=${encodeURIComponent(to)}`;
  const cb = await twilioPost(
    path,
    { AccountSid: t.accountSid, CallSid: callSid, RecordingSid: recordingSid, RecordingStatus: "completed" },
    t.authToken,
  );
  expect(cb.status).toBe(202);
  const rec = await eventually(
    () => getRecordingByCarrierSid(env.DB, t.customerId, recordingSid),
    (r) => r?.transcription_status === "done",
    "the copy and its transcription",
    20_000,
  );
  return { callSid, recordingSid, recording: rec!, callId: rec!.call_id!, ticketId: rec!.ticket_id! };
}

/** Rows of a tenant in a table (by customer_id). */
export const countOf = async (table: string, customerId: number) =>
  (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE customer_id = ?1`)
    .bind(customerId)
    .first<{ n: number }>())!.n;

/** Every table that holds tenants' rows (a customer_id column): what a customer's deletion must empty. */
export async function tenantTables(): Promise<string[]> {
  const tables = (
    await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
    ).all<{ name: string }>()
  ).results;
  const out: string[] = [];
  for (const { name } of tables) {
    const cols = (await env.DB.prepare(`SELECT name FROM pragma_table_info('${name}')`).all<{ name: string }>())
      .results;
    if (cols.some((c) => c.name === "customer_id")) out.push(name);
  }
  return out;
}

/** The Twilio fake's log of deletions of this account's recordings. */
export const twilioRecordingDeletes = async (t: Tenant) =>
  ((await (await twilioFake(`/requests?accountSid=${t.accountSid}`)).json()) as { method: string; path: string }[])
    .filter((r) => r.method === "DELETE" && r.path.includes("/Recordings/"))
    .map((r) => r.path);
