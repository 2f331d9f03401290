import { accountCodecs } from "../carriers/accounts";
import { listCarrierAccounts } from "../db/carrier-accounts";
import { phoneLoginCountries, type CustomerRow } from "../db/customers";

/** The customer as the API shows it: each carrier's account (or null) and no secret, only whether one is set. */
export async function customerView(db: D1Database, c: CustomerRow) {
  const accounts = await listCarrierAccounts(db, c.id);
  const carriers = Object.fromEntries(
    accountCodecs.map((codec) => {
      const row = accounts.find((a) => a.carrier === codec.carrier);
      return [codec.carrier, row ? codec.view(row) : null];
    }),
  );
  return {
    id: c.id,
    name: c.name,
    ...carriers,
    openai: {
      hasApiKey: c.openai_api_key_enc !== null,
      realtimeModel: c.openai_realtime_model,
      transcriptionModel: c.openai_transcription_model,
      transcriptionActive: c.openai_transcription_active === 1,
    },
    phoneStreamUrl: c.phone_stream_url,
    aiFallback: c.ai_fallback,
    retentionDays: c.retention_days,
    timeZone: c.time_zone,
    inboundToRep: {
      ringSeconds: c.rep_ring_seconds,
      noAnswer: c.rep_no_answer,
      assistantId: c.rep_no_answer_assistant_id,
    },
    phoneLogin: { allowedCountries: phoneLoginCountries(c), maxCodesPerHour: c.phone_login_hourly_limit },
    createdAt: c.created_at,
    updatedAt: c.updated_at,
  };
}
