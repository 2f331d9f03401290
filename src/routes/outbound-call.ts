import { z } from "zod";
import type { RepAuth } from "../auth/context";
import { assertCallerId } from "../auth/caller-id";
import { dialers } from "../carriers/registry";
import { getAssistant } from "../db/assistants";
import type { CallRow } from "../db/calls";
import { getCampaign } from "../db/campaigns";
import { callerIdFor } from "../db/phone-numbers";
import { publicVoiceCall } from "../db/voice-calls";
import type { Env } from "../env";
import { ApiError } from "../lib/errors";
import { intId, phoneNumber } from "../lib/schemas";
import { invalid } from "../lib/validate";
import { machinePolicy, parseDialing, voicemailSchema } from "../outbound/campaign-settings";
import { placeAiCall } from "../outbound/place-call";

/** The caller's metadata is stored as given and returned with the call; kept small (it rides on every read). */
const MAX_METADATA_BYTES = 4096;

export const outboundCallBody = z.object({
  assistantId: intId,
  to: phoneNumber,
  from: phoneNumber.optional(),
  campaignId: intId.optional(),
  metadata: z
    .record(z.string(), z.unknown())
    .refine((m) => new TextEncoder().encode(JSON.stringify(m)).length <= MAX_METADATA_BYTES, {
      message: `at most ${MAX_METADATA_BYTES} bytes of JSON`,
    })
    .optional(),
  /** Overrides the assistant's (or the campaign's) welcome message for this call. */
  welcomeMessage: z.string().trim().min(1).max(400).optional(),
  /** On an answering machine; default: the campaign's setting, else `continue` (detected and recorded only). */
  voicemail: voicemailSchema.optional(),
});
export type OutboundCallBody = z.infer<typeof outboundCallBody>;

/** What the API adds to a call's detail for outbound AI calls (null for other calls). */
export const outboundFields = (call: CallRow) => ({
  assistantId: call.assistant_id,
  metadata: call.metadata_json ? (JSON.parse(call.metadata_json) as unknown) : null,
  answeredBy: call.answered_by,
});

/**
 * `POST /api/v1/voice-calls`: an outbound call answered by one of the tenant's assistants, from a number the rep
 * may call from (click-to-call's rule; without `from`, the best such number: one the assistant answers, the rep's
 * own, a shared one). Foreign or unknown assistants and campaigns are 404, like every foreign id.
 */
export async function placeOutboundCall(env: Env, auth: RepAuth, b: OutboundCallBody, origin: string) {
  const { customerId, rep } = auth;
  const assistant = await getAssistant(env.DB, customerId, b.assistantId);
  if (!assistant) throw new ApiError(404, `Assistant ${b.assistantId} not found`, { field: "assistantId" });
  const campaign = b.campaignId === undefined ? null : await getCampaign(env.DB, customerId, b.campaignId);
  if (b.campaignId !== undefined && !campaign)
    throw new ApiError(404, `Campaign ${b.campaignId} not found`, { field: "campaignId" });
  let from = b.from;
  if (from) await assertCallerId(env.DB, customerId, rep.id, from, "from");
  else from = (await callerIdFor(env.DB, customerId, rep.id, assistant.id)) ?? undefined;
  if (!from) throw invalid("json", [{ path: "from", message: "no number of your account can be the caller ID" }]);
  const settings = campaign ? parseDialing(campaign.dialing_json) : null;
  const call = await placeAiCall(env, dialers, {
    customerId,
    repId: rep.id,
    assistantId: assistant.id,
    to: b.to,
    from,
    campaignId: campaign?.id ?? null,
    metadata: b.metadata ?? null,
    welcomeMessage: b.welcomeMessage ?? settings?.welcomeMessage ?? null,
    onMachine: b.voicemail
      ? { action: b.voicemail.action, message: b.voicemail.message ?? null }
      : settings
        ? machinePolicy(settings)
        : { action: "continue", message: null },
    origin,
  });
  return { ...publicVoiceCall(call), from: call.from_number, to: call.to_number, ...outboundFields(call) };
}
