import type { CallAlarm } from "./call-alarm";
import type { LiveCall } from "./live-call";
import type { LiveState } from "./live-state";

/** A failed finalize is tried again after this, doubling each time up to the cap, until the deadline. */
const FINALIZE_RETRY_MS = 5_000;
const FINALIZE_RETRY_CAP_MS = 10 * 60_000;
const FINALIZE_DEADLINE_MS = 24 * 60 * 60_000;

/**
 * Runs a step that ends the call (`live.end`, `live.legGone`). When finalizing fails (the recording could not be
 * written, D1 refused) the failure is counted and the next try is scheduled with backoff on the object's alarm;
 * past the deadline the call is closed as failed with its audio kept (docs/data-lifecycle.md).
 */
export async function endingWithRetry(
  state: LiveState,
  live: LiveCall,
  step: () => Promise<void>,
  alarm: CallAlarm,
): Promise<void> {
  try {
    await step();
  } catch (e) {
    const failures = state.noteFinalizeFailure(Date.now());
    const o = state.options;
    const error = e instanceof Error ? e.message : String(e);
    const callId = live.plan.callId;
    console.error(
      JSON.stringify({ level: "error", msg: "live call finalize failed", callId, attempt: failures.count, error }),
    );
    if (Date.now() - failures.since >= (o.finalizeDeadlineMs ?? FINALIZE_DEADLINE_MS)) return live.giveUp(failures);
    const base = o.finalizeRetryMs ?? FINALIZE_RETRY_MS;
    await alarm.in(Math.min(FINALIZE_RETRY_CAP_MS, base * 2 ** (failures.count - 1)));
  }
}
