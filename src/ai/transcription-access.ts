import type { CustomerRow } from "../db/customers";
import type { Env } from "../env";
import { tenantOpenAI, type TenantOpenAI } from "./openai";

/** Models that answer /audio/transcriptions (whisper-1, gpt-4o(-mini)-transcribe(-diarize) and their successors). */
export const isTranscriptionModel = (model: string) => /whisper|transcribe/i.test(model);

export type TranscriptionAccess = { ok: true; ai: TenantOpenAI; model: string } | { ok: false; reason: string };

/** Whether this tenant can transcribe right now, and with what; the reason when not. */
export async function transcriptionAccess(env: Env, customer: CustomerRow): Promise<TranscriptionAccess> {
  const model = customer.openai_transcription_model;
  if (!customer.openai_api_key_enc) return { ok: false, reason: "no OpenAI API key is configured for this customer" };
  if (customer.openai_transcription_active !== 1)
    return { ok: false, reason: "transcription is not active for this customer" };
  if (!model || !isTranscriptionModel(model))
    return { ok: false, reason: `the configured model "${model}" cannot transcribe audio` };
  const ai = await tenantOpenAI(env, customer);
  if (!ai) return { ok: false, reason: "no OpenAI API key is configured for this customer" };
  return { ok: true, ai, model };
}
