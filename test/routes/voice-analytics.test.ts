import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { updateCall } from "../../src/db/calls";
import { api, json, provisionTenant, repToken } from "../helpers";
import { seedCall, seedRecording, wavBytes } from "../seed/calls";

const get = (path: string, token: string, headers: Record<string, string> = {}) =>
  api(`/api/voice/analytics${path}`, { token, headers });

async function seedMonth(customerId: number) {
  const wav = wavBytes(10);
  // January 2025: 4 completed (3 recorded), 1 busy, 1 failed; sentiment 2 positive, 1 negative, rest unknown
  await seedCall(customerId, {
    createdAt: "2025-01-15T10:10:00.000Z",
    durationSeconds: 100,
    sentiment: "positive",
    recordingBytes: wav,
    toolCalls: [
      { name: "lookup", success: true },
      { name: "book", success: false },
    ],
  });
  await seedCall(customerId, {
    createdAt: "2025-01-15T10:50:00.000Z",
    durationSeconds: 200,
    sentiment: "positive",
    recordingBytes: wav,
  });
  await seedCall(customerId, {
    createdAt: "2025-01-15T11:05:00.000Z",
    durationSeconds: 300,
    sentiment: "negative",
    recordingBytes: wav,
    toolCalls: [{ name: "lookup", success: true }],
  });
  await seedCall(customerId, { createdAt: "2025-01-16T09:00:00.000Z", durationSeconds: 401 });
  await seedCall(customerId, { createdAt: "2025-01-16T09:30:00.000Z", state: "Busy", durationSeconds: null });
  await seedCall(customerId, {
    createdAt: "2025-01-17T23:59:59.999Z",
    state: "Failed",
    durationSeconds: 0,
    sentiment: "neutral",
  });
  // outside the range
  await seedCall(customerId, { createdAt: "2025-02-01T00:00:00.000Z", durationSeconds: 999, recordingBytes: wav });
}

describe("voice analytics", () => {
  it("overview counts, averages and rates calls created in the range", async () => {
    const t = await provisionTenant();
    await seedMonth(t.customerId);
    const res = await get("/overview?start_date=2025-01-01&end_date=2025-01-31", t.token);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      metrics: {
        total_calls: 6,
        completed_calls: 4,
        incomplete_calls: 2,
        avg_duration_seconds: 200.2,
        recording_availability_rate: 0.75,
      },
    });
    const all = await json<{ metrics: { total_calls: number } }>(await get("/overview", t.token));
    expect(all.metrics.total_calls).toBe(7);
    const empty = await json(await get("/overview?start_date=2030-01-01", t.token));
    expect(empty).toEqual({
      metrics: {
        total_calls: 0,
        completed_calls: 0,
        incomplete_calls: 0,
        avg_duration_seconds: null,
        recording_availability_rate: null,
      },
    });
  });

  it("detailed adds tool-call success rate and the sentiment distribution (seed 003's three keys)", async () => {
    const t = await provisionTenant();
    await seedMonth(t.customerId);
    const { metrics } = await json<{ metrics: Record<string, unknown> }>(
      await get("/detailed?start_date=2025-01-15T10:30:00Z&end_date=2025-01-31", t.token),
    );
    expect(metrics).toMatchObject({ total_calls: 5, completed_calls: 3, recording_availability_rate: 0.6667 });
    expect(metrics.sentiment_distribution).toEqual({ positive: 1, neutral: 1, negative: 1 });
    // The same bound with an offset, its '+' sent raw (it decodes to a space, and is put back).
    const offset = await get("/detailed?start_date=2025-01-15T12:30:00+02:00&end_date=2025-01-31", t.token);
    expect(offset.status).toBe(200);
    expect((await json<{ metrics: unknown }>(offset)).metrics).toMatchObject({ total_calls: 5, completed_calls: 3 });
    // tool calls are counted by when they were made: all three were made now, none in January
    expect(metrics.tool_call_success_rate).toBeNull();
    const now = await json<{ metrics: { tool_call_success_rate: number } }>(
      await get(`/detailed?start_date=${new Date(Date.now() - 3600_000).toISOString()}`, t.token),
    );
    expect(now.metrics.tool_call_success_rate).toBe(0.6667);
    const today = new Date().toISOString().slice(0, 10);
    const byDay = await json<{ metrics: { tool_call_success_rate: number } }>(
      await get(`/detailed?start_date=${today}&end_date=${today}`, t.token),
    );
    expect(byDay.metrics.tool_call_success_rate).toBe(0.6667);
    const allTime = await json<{ metrics: { tool_call_success_rate: number } }>(await get("/detailed", t.token));
    expect(allTime.metrics.tool_call_success_rate).toBe(0.6667);
  });

  it("timeline buckets by day (default) and by hour", async () => {
    const t = await provisionTenant();
    await seedMonth(t.customerId);
    const day = await json(await get("/timeline?start_date=2025-01-01&end_date=2025-01-31", t.token));
    expect(day).toEqual({
      bucket: "day",
      timeline: [
        { bucket: "2025-01-15T00:00:00Z", call_count: 3, avg_duration_seconds: 200 },
        { bucket: "2025-01-16T00:00:00Z", call_count: 2, avg_duration_seconds: 401 },
        { bucket: "2025-01-17T00:00:00Z", call_count: 1, avg_duration_seconds: 0 },
      ],
    });
    const hour = await json<{ timeline: unknown[] }>(
      await get("/timeline?bucket=hour&start_date=2025-01-15&end_date=2025-01-15", t.token),
    );
    expect(hour.timeline).toEqual([
      { bucket: "2025-01-15T10:00:00Z", call_count: 2, avg_duration_seconds: 150 },
      { bucket: "2025-01-15T11:00:00Z", call_count: 1, avg_duration_seconds: 300 },
    ]);
  });

  it("caches privately with an ETag and answers If-None-Match with 304", async () => {
    const t = await provisionTenant();
    await seedMonth(t.customerId);
    for (const [path, maxAge] of [
      ["/overview", 60],
      ["/detailed", 60],
      ["/timeline", 300],
    ] as const) {
      const first = await get(path, t.token);
      expect(first.headers.get("Cache-Control")).toBe(`private, max-age=${maxAge}`);
      const etag = first.headers.get("ETag") ?? "";
      expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
      const again = await get(path, t.token, { "If-None-Match": etag });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("ETag")).toBe(etag);
      expect(again.headers.get("X-RateLimit-Limit")).toBe("60");
      expect((await get(path, t.token, { "If-None-Match": `W/${etag}, "other"` })).status).toBe(304);
      expect((await get(path, t.token, { "If-None-Match": '"stale"' })).status).toBe(200);
    }
    // new data changes the ETag
    const before = (await get("/overview", t.token)).headers.get("ETag") ?? "";
    await seedCall(t.customerId, { createdAt: "2025-01-20T00:00:00.000Z" });
    const after = await get("/overview", t.token, { "If-None-Match": before });
    expect(after.status).toBe(200);
  });

  it("gives the same answers from the per-day counters (whole days) as from counting calls (times of day)", async () => {
    const t = await provisionTenant();
    await seedMonth(t.customerId);
    // calls change after they are made: answered, ended, classified, recorded
    const late = await seedCall(t.customerId, {
      createdAt: "2025-01-20T08:00:00.000Z",
      state: "Ringing",
      durationSeconds: null,
    });
    await updateCall(env.DB, t.customerId, late.id, { state: "Completed", duration_seconds: 77 });
    await updateCall(env.DB, t.customerId, late.id, { sentiment: "negative" });
    await seedRecording(t.customerId, { ...late, duration_seconds: 77 }, wavBytes(10));
    // Ended but not completed, and still going: neither is "completed", though none is busy or failed either.
    for (const [state, at] of [
      ["NoAnswer", "2025-01-21T08:00:00.000Z"],
      ["Canceled", "2025-01-21T09:00:00.000Z"],
      ["InProgress", "2025-01-22T10:00:00.000Z"],
    ] as const)
      await seedCall(t.customerId, { createdAt: at, state, durationSeconds: null });
    // A recording of a call that did not complete (a voicemail left after no answer) is no completed call's.
    const voicemail = await seedCall(t.customerId, {
      createdAt: "2025-01-23T08:00:00.000Z",
      state: "NoAnswer",
      durationSeconds: 20,
    });
    await seedRecording(t.customerId, voicemail, wavBytes(10));
    const days = "start_date=2025-01-01&end_date=2025-01-31";
    const times = "start_date=2025-01-01T00:00:00Z&end_date=2025-01-31T23:59:59.999Z";
    for (const path of ["/overview", "/detailed", "/timeline"]) {
      const a = await json(await get(`${path}?${days}`, t.token));
      const b = await json(await get(`${path}?${times}`, t.token));
      expect(a, path).toEqual(b);
    }
    const d = await json<{ metrics: Record<string, unknown> }>(await get(`/detailed?${days}`, t.token));
    expect(d.metrics).toMatchObject({
      total_calls: 11,
      completed_calls: 5,
      incomplete_calls: 6,
      recording_availability_rate: 0.8,
    });
    expect(d.metrics.sentiment_distribution).toEqual({ positive: 2, neutral: 1, negative: 2 });
    const all = await json(await get("/overview", t.token));
    const wide = await json(
      await get("/overview?start_date=2000-01-01T00:00:00Z&end_date=2100-01-01T00:00:00Z", t.token),
    );
    expect(all).toEqual(wide);
    const total = async (q: string) =>
      (await json<{ total: number }>(await api(`/api/v1/voice-calls?${q}`, { token: t.token }))).total;
    expect(await total("state=Completed&dateFrom=2025-01-01&dateTo=2025-01-31")).toBe(5);
    expect(await total("state=Completed&dateFrom=2025-01-01T00:00:00Z&dateTo=2025-01-31T23:59:59.999Z")).toBe(5);
    expect(await total("state=Ringing")).toBe(0);
  });

  it("refuses bad dates and buckets with 400 naming the field", async () => {
    const t = await provisionTenant();
    for (const [q, field] of [
      ["/overview?start_date=2025-13-01", "start_date"],
      ["/detailed?end_date=last%20week", "end_date"],
      ["/timeline?bucket=week", "bucket"],
      ["/overview?start_date=2025-02-01&end_date=2025-01-01", "end_date"],
    ] as const) {
      const res = await get(q, t.token);
      expect(res.status, q).toBe(400);
      expect((await json<{ issues: { path: string }[] }>(res)).issues.map((i) => i.path)).toContain(field);
    }
  });

  it("needs a rep token (no scope: SPEC.md says rep), and counts only the caller's tenant", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    await seedMonth(a.customerId);
    const noAuth = await api("/api/voice/analytics/overview");
    expect(noAuth.status).toBe(401);
    expect(await json(noAuth)).toEqual({ error: "Missing bearer token" });
    expect((await get("/overview", await repToken(a.repId, { scope: "" }))).status).toBe(200);
    expect(
      (await json<{ metrics: { total_calls: number } }>(await get("/overview", b.token))).metrics.total_calls,
    ).toBe(0);
  });
});
