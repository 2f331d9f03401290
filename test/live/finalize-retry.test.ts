import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { getCall } from "../../src/db/calls";
import { latestRecordingOfCall } from "../../src/db/recordings";
import { startCall, twilioDriver } from "./drivers";
import { assistantTenant, callStub } from "./live-helpers";
import { eventually } from "./stream-client";

const audioRows = (callSid: string) =>
  runInDurableObject(
    callStub(callSid),
    (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM audio_rows").one().n,
  );

// D1 refusing the recording's row is the fault: the table is moved away while the call ends (this file's own database).
const breakRecordings = () => env.DB.prepare("ALTER TABLE recordings RENAME TO recordings_away").run();
const mendRecordings = () => env.DB.prepare("ALTER TABLE recordings_away RENAME TO recordings").run();
afterEach(async () => {
  await mendRecordings().catch(() => undefined);
});

async function endedCall(opts: { finalizeRetryMs?: number; finalizeDeadlineMs?: number } = {}) {
  const t = await assistantTenant({ welcome: null });
  const call = await startCall(twilioDriver, t, { configure: opts });
  for (let i = 0; i < 5; i++) call.tc.media();
  await eventually(
    () => call.stub.stats(),
    (s) => s.callerFrames === 5,
    "the frames",
  );
  return { t, ...call };
}

describe("the end of a live call", () => {
  it("deletes the raw audio once the stereo recording is in R2", async () => {
    const { t, tc, callSid, callId } = await endedCall();
    tc.stop(t.accountSid);
    await eventually(
      () => getCall(env.DB, t.customerId, callId),
      (c) => c?.state === "Completed",
      "the call to end",
    );
    expect(await latestRecordingOfCall(env.DB, t.customerId, callId)).not.toBeNull();
    expect(await audioRows(callSid)).toBe(0);
  });

  it("retries a failed finalize with backoff (the alarm) until it succeeds, losing no audio", async () => {
    const { t, tc, callSid, callId, stub } = await endedCall({ finalizeRetryMs: 100 });
    await breakRecordings();
    tc.stop(t.accountSid);
    await eventually(
      () => stub.stats(),
      (s) => s.ended === false && Number(s.finalizeFailures) === 1,
      "the first failure",
    );
    expect((await getCall(env.DB, t.customerId, callId))?.state).toBe("InProgress");
    expect(await audioRows(callSid)).toBeGreaterThan(0);
    // Still broken: the next try fails too, and backs off further.
    expect(await runDurableObjectAlarm(callStub(callSid))).toBe(true);
    expect((await stub.stats()).finalizeFailures).toBe(2);
    await mendRecordings();
    expect(await runDurableObjectAlarm(callStub(callSid))).toBe(true);
    const call = await getCall(env.DB, t.customerId, callId);
    expect(call).toMatchObject({ state: "Completed", has_recording: 1 });
    const rec = await latestRecordingOfCall(env.DB, t.customerId, callId);
    expect(rec?.duration_ms).toBeGreaterThanOrEqual(5 * 20);
    expect(await audioRows(callSid)).toBe(0);
  });

  it("gives up after the deadline: the call is marked recording_failed and its audio is kept", async () => {
    const { t, tc, callSid, callId, stub } = await endedCall({ finalizeRetryMs: 100, finalizeDeadlineMs: 1 });
    await breakRecordings();
    tc.stop(t.accountSid);
    await eventually(
      () => stub.stats(),
      (s) => Number(s.finalizeFailures) >= 1,
      "the first failure",
    );
    await new Promise((r) => setTimeout(r, 5)); // past the 1 ms deadline
    await runDurableObjectAlarm(callStub(callSid));
    await mendRecordings();
    expect(await getCall(env.DB, t.customerId, callId)).toMatchObject({
      state: "Completed",
      outcome: "recording_failed",
    });
    expect((await stub.stats()).ended).toBe(true);
    expect(await audioRows(callSid)).toBeGreaterThan(0);
    expect(await runDurableObjectAlarm(callStub(callSid))).toBe(false); // nothing more to try
  });
});
