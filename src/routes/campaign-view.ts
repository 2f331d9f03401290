import { z } from "zod";
import { getAssistant } from "../db/assistants";
import type { Progress } from "../db/campaign-contacts";
import { publicProgress } from "../db/campaign-contacts";
import { publicCampaign, type CampaignDialingColumns, type CampaignRow } from "../db/campaigns";
import { getPhoneNumber } from "../db/phone-numbers";
import { ApiError } from "../lib/errors";
import { intId, phoneNumber } from "../lib/schemas";
import {
  callingHoursSchema,
  mergeDialing,
  paceSchema,
  parseDialing,
  retrySchema,
  voicemailSchema,
} from "../outbound/campaign-settings";

/** The dialing part of a campaign's create and update bodies (docs/campaigns.md); each settings part is replaced whole. */
export const campaignDialingBody = z.object({
  assistantId: intId.nullable().optional(),
  callerId: phoneNumber.nullable().optional(),
  callingHours: callingHoursSchema.optional(),
  pace: paceSchema.optional(),
  retry: retrySchema.optional(),
  voicemail: voicemailSchema.optional(),
  welcomeMessage: z.string().trim().min(1).max(400).optional(),
});
type DialingBody = z.infer<typeof campaignDialingBody>;

/**
 * A body's dialing fields as columns: the assistant and the caller ID must be the tenant's (404 otherwise, like
 * every foreign id), the settings are merged into the stored ones and checked whole.
 */
export async function dialingColumns(
  db: D1Database,
  customerId: number,
  b: DialingBody,
  stored: CampaignRow | null,
): Promise<CampaignDialingColumns> {
  if (b.assistantId && !(await getAssistant(db, customerId, b.assistantId)))
    throw new ApiError(404, `Assistant ${b.assistantId} not found`, { field: "assistantId" });
  if (b.callerId && !(await getPhoneNumber(db, customerId, b.callerId)))
    throw new ApiError(404, `callerId ${b.callerId} is not a number of this customer`, { field: "callerId" });
  const { assistantId, callerId, ...settings } = b;
  return {
    assistant_id: assistantId,
    caller_id: callerId,
    dialing_json: JSON.stringify(mergeDialing(stored?.dialing_json ?? null, settings)),
  };
}

/** A campaign as the API shows it: its survey, what it dials with, its status and (when asked for) its progress. */
export const campaignView = (c: CampaignRow, progress?: Progress) => ({
  ...publicCampaign(c),
  assistantId: c.assistant_id,
  callerId: c.caller_id,
  status: c.status,
  lastError: c.last_error,
  ...parseDialing(c.dialing_json),
  ...(progress ? { progress: publicProgress(progress) } : {}),
});
