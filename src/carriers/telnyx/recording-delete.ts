import type { Env } from "../../env";
import { loadTelnyxAccount, telnyxApiKey } from "./account";
import { TelnyxApiError, TelnyxRest, telnyxBaseUrl } from "./rest";

/**
 * Deletes Telnyx's own copy of a recording we stored (`DELETE /v2/recordings/{id}`, docs/telnyx.md,
 * "Recordings"). A copy Telnyx no longer has (404) is gone already; a reference that is not Telnyx's recording
 * id (`leg-…`, when the event named none) cannot be deleted there; nor anything of a tenant without a Telnyx
 * account any more.
 */
export async function deleteTelnyxRecording(env: Env, customerId: number, recordingRef: string): Promise<void> {
  if (recordingRef.startsWith("leg-")) return;
  const account = await loadTelnyxAccount(env.DB, customerId);
  if (!account) return;
  const rest = new TelnyxRest(await telnyxApiKey(env, account), telnyxBaseUrl(env));
  try {
    await rest.request("DELETE", `/recordings/${encodeURIComponent(recordingRef)}`);
  } catch (e) {
    if (!(e instanceof TelnyxApiError && e.status === 404)) throw e;
  }
}
