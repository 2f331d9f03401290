/**
 * Every call the call-data tests read is made here, through the typed db functions the product's own paths use
 * (insertCall, insertSegmentStmt, insertRecording + an R2 put, insertToolCallStmt) and the admin survey ingest.
 * After the Twilio / live-call branches merge, switch `seedCall` to drive those paths instead.
 */
import { env } from "cloudflare:workers";
import { insertCall, type CallRow, type CallState, type Direction } from "../../src/db/calls";
import { insertRecording } from "../../src/db/recordings";
import type { SenderType } from "../../src/db/tickets";
import { insertToolCallStmt } from "../../src/db/tool-calls";
import { insertSegmentStmt } from "../../src/db/transcripts";
import { admin, json } from "../helpers";

export interface SeedCall {
  state?: CallState;
  direction?: Direction;
  campaignId?: number | null;
  createdAt?: string;
  /** seconds the call lasted; also sets start/end times from createdAt */
  durationSeconds?: number | null;
  outcome?: string | null;
  sentiment?: CallRow["sentiment"];
  transcript?: { sender: SenderType; text: string; offsetMs: number }[];
  /** bytes of the WAV to store as its recording (none when omitted) */
  recordingBytes?: Uint8Array;
  toolCalls?: { name: string; success: boolean }[];
}

export async function seedCall(customerId: number, s: SeedCall = {}): Promise<CallRow> {
  const created = s.createdAt ?? new Date().toISOString();
  const duration = s.durationSeconds === undefined ? 60 : s.durationSeconds;
  const ended = duration === null ? null : new Date(Date.parse(created) + duration * 1000).toISOString();
  const call = await insertCall(env.DB, {
    customer_id: customerId,
    carrier: "twilio",
    direction: s.direction ?? "Inbound",
    state: s.state ?? "Completed",
    mode: "assistant",
    campaign_id: s.campaignId ?? null,
    start_time: created,
    end_time: ended,
    duration_seconds: duration,
    talk_time_seconds: duration === null ? null : Math.max(0, duration - 3),
    outcome: s.outcome ?? null,
    sentiment: s.sentiment ?? null,
    created_at: created,
  });
  const writes = [
    ...(s.transcript ?? []).map((t) =>
      insertSegmentStmt(env.DB, {
        callId: call.id,
        customerId,
        senderType: t.sender,
        text: t.text,
        offsetMs: t.offsetMs,
      }),
    ),
    ...(s.toolCalls ?? []).map((t) =>
      insertToolCallStmt(env.DB, { callId: call.id, customerId, name: t.name, success: t.success }),
    ),
  ];
  if (writes.length) await env.DB.batch(writes);
  if (s.recordingBytes) await seedRecording(customerId, call, s.recordingBytes);
  return call;
}

export async function seedRecording(customerId: number, call: CallRow, bytes: Uint8Array) {
  const key = `recordings/${customerId}/${call.id}/v1.wav`;
  await env.RECORDINGS.put(key, bytes, { httpMetadata: { contentType: "audio/wav" } });
  return insertRecording(env.DB, {
    customer_id: customerId,
    call_id: call.id,
    r2_key: key,
    source: "live",
    duration_ms: (call.duration_seconds ?? 0) * 1000,
    channels: 2,
    size_bytes: bytes.length,
    started_at: call.start_time,
    ended_at: call.end_time,
  });
}

/** A stereo 8 kHz 16-bit WAV of `samples` frames with a recognizable ramp, so byte ranges can be checked. */
export function wavBytes(samples: number): Uint8Array {
  const data = samples * 4;
  const b = new Uint8Array(44 + data);
  const v = new DataView(b.buffer);
  const ascii = (o: number, s: string) => [...s].forEach((ch, i) => v.setUint8(o + i, ch.charCodeAt(0)));
  ascii(0, "RIFF");
  v.setUint32(4, 36 + data, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 2, true);
  v.setUint32(24, 8000, true);
  v.setUint32(28, 32000, true);
  v.setUint16(32, 4, true);
  v.setUint16(34, 16, true);
  ascii(36, "data");
  v.setUint32(40, data, true);
  for (let i = 44; i < b.length; i++) b[i] = i % 251;
  return b;
}

export async function seedCampaign(customerId: number, survey?: { questions: { text: string; scaleMax?: number }[] }) {
  const res = await admin(`/customers/${customerId}/campaigns`, {
    method: "POST",
    json: { name: "Campaign", ...(survey ? { survey } : {}) },
  });
  if (res.status !== 201) throw new Error(`seedCampaign: ${res.status} ${await res.text()}`);
  return json<{ id: number }>(res);
}

export function recordSurvey(customerId: number, callId: string, body: unknown) {
  return admin(`/customers/${customerId}/calls/${callId}/survey`, { method: "POST", json: body });
}
