import { getRecordingByCarrierSid } from "../../db/recordings";
import { enqueue } from "../../db/jobs";
import type { Env } from "../../env";
import { invalid } from "../../lib/validate";
import type { TelnyxAccount } from "./account";
import type { Handled } from "./call-events";
import { findTelnyxCall } from "./call-record";
import type { TelnyxEventOf } from "./events";
import { recordingUrlRefusal } from "./recording-download";
import { telnyxBaseUrl } from "./rest";
import { markSeenStmt, seenEvent } from "./webhook";

/**
 * `call.recording.saved`: the copy into R2 is queued (the link is valid 10 minutes; the queue retries a failed
 * copy, src/lifecycle/consumer.ts). A link outside Telnyx's hosts is refused here, before anything is queued.
 */
export async function onRecordingSaved(
  env: Env,
  account: TelnyxAccount,
  e: TelnyxEventOf<"call.recording.saved">,
): Promise<Handled> {
  const p = e.payload;
  const customerId = account.customerId;
  const format = p.recording_urls.wav ? "wav" : p.recording_urls.mp3 ? "mp3" : null;
  const url = format ? p.recording_urls[format] : null;
  if (!format || !url)
    throw invalid("body", [{ path: "data.payload.recording_urls", message: "names no wav or mp3 recording" }]);
  const refusal = recordingUrlRefusal(url, telnyxBaseUrl(env));
  if (refusal) throw invalid("body", [{ path: `data.payload.recording_urls.${format}`, message: refusal }]);
  if (await seenEvent(env.DB, customerId, e.id)) return { ignored: "already handled" };
  const call = await findTelnyxCall(env.DB, customerId, {
    callControlId: p.call_control_id ?? null,
    callLegId: p.call_leg_id || null,
    callSessionId: p.call_session_id || null,
  });
  if (!call) return { ignored: "no record of this call" };
  // The schema (events.ts) guarantees one of the two.
  const recordingRef = p.recording_id || `leg-${p.call_leg_id ?? ""}`;
  if (await getRecordingByCarrierSid(env.DB, customerId, recordingRef)) {
    await markSeenStmt(env.DB, customerId, e.id).run();
    return { ignored: "recording already stored" };
  }
  await enqueue(env, {
    kind: "telnyx-recording",
    customerId,
    callId: call.id,
    recordingRef,
    url,
    format,
    channels: p.channels === "dual" ? 2 : 1,
    startedAt: p.recording_started_at ?? null,
    endedAt: p.recording_ended_at ?? null,
  });
  await markSeenStmt(env.DB, customerId, e.id).run();
  return { handled: "recording copy queued" };
}
