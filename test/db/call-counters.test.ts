import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { updateCall } from "../../src/db/calls";
import { provisionTenant } from "../helpers";
import { seedCall, seedRecording, wavBytes } from "../seed/calls";

/** What call_day_counts must equal: the same aggregate computed from the calls themselves. */
async function fromCalls(customerId: number) {
  const { results } = await env.DB.prepare(
    `SELECT substr(created_at, 1, 10) AS day, state, direction, IFNULL(sentiment, '') AS s, has_recording AS r,
            COUNT(*) AS n, IFNULL(SUM(duration_seconds), 0) AS ds, COUNT(duration_seconds) AS dn
     FROM calls WHERE customer_id = ?1 GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
  )
    .bind(customerId)
    .all();
  return results;
}
async function fromCounters(customerId: number) {
  const { results } = await env.DB.prepare(
    `SELECT day, state, direction, sentiment_key AS s, has_recording AS r, n, duration_sum AS ds, duration_n AS dn
     FROM call_day_counts WHERE customer_id = ?1 AND n <> 0 ORDER BY 1, 2, 3, 4, 5`,
  )
    .bind(customerId)
    .all();
  return results;
}
const hasRecording = async (id: string) =>
  (await env.DB.prepare("SELECT has_recording FROM calls WHERE id = ?1").bind(id).first<{ has_recording: number }>())
    ?.has_recording;

describe("triggers of 0004", () => {
  it("keep calls.has_recording and the day counters equal to the calls through inserts, updates and deletes", async () => {
    const t = await provisionTenant();
    const a = await seedCall(t.customerId, {
      createdAt: "2025-06-01T10:00:00.000Z",
      state: "Ringing",
      durationSeconds: null,
    });
    const b = await seedCall(t.customerId, { createdAt: "2025-06-02T10:00:00.000Z", direction: "Outbound" });
    expect(await fromCounters(t.customerId)).toEqual(await fromCalls(t.customerId));

    await updateCall(env.DB, t.customerId, a.id, {
      state: "Completed",
      duration_seconds: 42,
      end_time: "2025-06-01T10:00:42.000Z",
    });
    await updateCall(env.DB, t.customerId, a.id, { sentiment: "neutral" });
    const r1 = await seedRecording(t.customerId, a, wavBytes(10));
    const r2 = await seedRecording(t.customerId, { ...a, id: a.id }, wavBytes(12)).catch(() => null); // same key: refused, changes nothing
    expect(r2).toBeNull();
    expect(await hasRecording(a.id)).toBe(1);
    expect(await fromCounters(t.customerId)).toEqual(await fromCalls(t.customerId));

    // a recording moved to another call, then deleted
    await env.DB.prepare("UPDATE recordings SET call_id = ?1 WHERE id = ?2").bind(b.id, r1.id).run();
    expect([await hasRecording(a.id), await hasRecording(b.id)]).toEqual([0, 1]);
    await env.DB.prepare("DELETE FROM recordings WHERE id = ?1").bind(r1.id).run();
    expect(await hasRecording(b.id)).toBe(0);
    await env.DB.prepare("DELETE FROM calls WHERE id = ?1").bind(a.id).run();
    expect(await fromCounters(t.customerId)).toEqual(await fromCalls(t.customerId));
  });
});
