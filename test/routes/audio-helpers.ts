import { api, json, type Tenant } from "../helpers";

export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

export interface WireChunk {
  ticketID: unknown;
  senderType: unknown;
  timestampMs: unknown;
  base64AudioData: unknown;
}

/** 20 ms chunks of one constant μ-law byte from `fromMs` to `toMs`. */
export function speech(ticketID: number, senderType: string, fromMs: number, toMs: number, byte: number): WireChunk[] {
  const out: WireChunk[] = [];
  for (let t = fromMs; t < toMs; t += 20)
    out.push({ ticketID, senderType, timestampMs: t, base64AudioData: b64(new Uint8Array(160).fill(byte)) });
  return out;
}

export async function newTicket(
  t: Tenant,
  body: Record<string, unknown> = { channel: "web", subject: "audio" },
  token = t.token,
): Promise<number> {
  const res = await api("/api/tickets", { method: "POST", token, json: body });
  if (res.status !== 201) throw new Error(`ticket: ${res.status} ${await res.text()}`);
  return (await json<{ id: number }>(res)).id;
}

export const upload = (path: "upload" | "uploadAndFinalize", token: string, body: unknown) =>
  api(`/api/AudioChunks/${path}`, { method: "POST", token, json: body });
