import type { Env } from "../env";
import { deleteTelnyxRecording } from "./telnyx/recording-delete";
import { loadTwilioAccount } from "./twilio/account";
import { TwilioRest } from "./twilio/rest";

/**
 * Deletes a carrier's own copy of a recording we also stored (`recordings.source` names the carrier, the
 * `carrier_recording_sid` is its id there). A source with no copy of its own, or a tenant whose account at that
 * carrier is gone, has nothing left to delete.
 */
export async function deleteCarrierRecording(
  env: Env,
  source: string,
  customerId: number,
  recordingSid: string,
): Promise<void> {
  if (source === "telnyx") return deleteTelnyxRecording(env, customerId, recordingSid);
  if (source === "twilio") {
    const account = await loadTwilioAccount(env.DB, customerId);
    if (account) await (await TwilioRest.forAccount(env, account)).deleteRecording(recordingSid);
  }
}
