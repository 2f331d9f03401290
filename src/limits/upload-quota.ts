import type { Auth } from "../auth/context";
import type { Env } from "../env";
import { spendOr429, type Budget } from "./budget";

/** 8 kHz μ-law: one byte per sample. */
const AUDIO_HOUR = 3600 * 8000;

/**
 * Decoded audio bytes that may be uploaded per hour: by one phone user (a number of a tenant; its tokens share
 * it), by one rep, and by a whole tenant. A call has two sides, so a phone user's two hours are one call uploaded
 * once over; a rep's eight leave room for retries and parallel calls. 429 with Retry-After beyond.
 */
export const UPLOAD_QUOTAS = {
  phone: { limit: 2 * AUDIO_HOUR, windowSeconds: 3600 },
  rep: { limit: 8 * AUDIO_HOUR, windowSeconds: 3600 },
  tenant: { limit: 100 * AUDIO_HOUR, windowSeconds: 3600 },
} as const satisfies Record<string, Budget>;

/** The counters an upload by `auth` is charged to: its own, then its tenant's. */
export function uploadBudgets(auth: Auth): { name: string; budget: Budget }[] {
  const own =
    auth.kind === "rep"
      ? { name: `upload:rep:${auth.rep.id}`, budget: UPLOAD_QUOTAS.rep }
      : { name: `upload:phone:${auth.customerId}:${auth.phoneNumber}`, budget: UPLOAD_QUOTAS.phone };
  return [own, { name: `upload:tenant:${auth.customerId}`, budget: UPLOAD_QUOTAS.tenant }];
}

/** Charges `bytes` of audio to the uploader's and the tenant's hourly quotas, or throws 429. */
export async function spendUploadQuota(env: Env, auth: Auth, bytes: number): Promise<void> {
  for (const { name, budget } of uploadBudgets(auth)) {
    await spendOr429(env, name, budget, "Upload quota exceeded; try again later", bytes);
  }
}
