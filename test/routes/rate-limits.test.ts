import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, json, provisionTenant } from "../helpers";
import { seedCall, wavBytes } from "../seed/calls";

const headersOf = (res: Response) => ({
  limit: res.headers.get("X-RateLimit-Limit"),
  remaining: res.headers.get("X-RateLimit-Remaining"),
  reset: Number(res.headers.get("X-RateLimit-Reset")),
});

afterEach(() => {
  vi.useRealTimers();
});

describe("per-tenant rate limits", () => {
  it("shares 30/min across both recording endpoints, then 429 with Retry-After, per tenant", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const withRec = await seedCall(a.customerId, { recordingBytes: wavBytes(10) });
    const without = await seedCall(a.customerId);
    const paths = [
      `/api/voice/recordings/${withRec.id}`,
      `/api/v1/voice-calls/${withRec.id}/recording-url`,
      `/api/voice/recordings/${without.id}`,
    ];
    for (let i = 0; i < 30; i++) {
      const res = await api(paths[i % paths.length] ?? "", { token: a.token });
      expect(res.status).toBe(i % 3 === 2 ? 404 : 200); // the error answers count and carry the headers too
      const h = headersOf(res);
      expect(h.limit).toBe("30");
      expect(h.remaining).toBe(String(29 - i));
      expect(h.reset * 1000).toBeGreaterThan(Date.now() - 1000);
    }
    const over = await api(paths[0] ?? "", { token: a.token });
    expect(over.status).toBe(429);
    expect(await json(over)).toEqual({ error: "Rate limit exceeded" });
    expect(headersOf(over).remaining).toBe("0");
    const retry = Number(over.headers.get("Retry-After"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    // another tenant, and another group of the same tenant, have their own budgets
    expect((await api(`/api/voice/recordings/${withRec.id}`, { token: b.token })).status).toBe(404);
    expect(headersOf(await api("/api/voice/analytics/overview", { token: a.token })).remaining).toBe("59");
  });

  it("keeps the count in one Durable Object that every isolate shares, and resets it with the window", async () => {
    const t = await provisionTenant();
    // a start just ahead of real time, so the rep token stays valid on the faked clock
    const start = Math.ceil(Date.now() / 1000) * 1000 + 5_000;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(start);
    const first = await api("/api/voice/analytics/overview", { token: t.token });
    expect(headersOf(first)).toEqual({ limit: "60", remaining: "59", reset: Math.ceil((start + 60_000) / 1000) });

    // Another client of the same object (as another isolate would be) spends 58 more of the budget...
    const stub = env.RATE_LIMITER.getByName(`analytics:${t.customerId}`);
    for (let i = 0; i < 58; i++) await stub.hit(60, 60);
    // ...and the Worker's next two requests, through different endpoints, see that count.
    vi.setSystemTime(start + 5_000);
    const last = await api("/api/voice/analytics/timeline", { token: t.token });
    expect(last.status).toBe(200);
    expect(headersOf(last).remaining).toBe("0");
    const refused = await api("/api/voice/analytics/detailed", { token: t.token });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("55");
    const stored = await runInDurableObject(stub, async (_obj, state) =>
      state.storage.kv.get<{ count: number }>("window"),
    );
    expect(stored?.count).toBe(60);

    // A minute after the window opened, the next request opens a fresh one.
    vi.setSystemTime(start + 60_000);
    const fresh = await api("/api/voice/analytics/overview", { token: t.token });
    expect(fresh.status).toBe(200);
    expect(headersOf(fresh)).toEqual({ limit: "60", remaining: "59", reset: Math.ceil((start + 120_000) / 1000) });
  });

  it("opens the window at the first request, so a burst across the clock's minute still meets the limit", async () => {
    const t = await provisionTenant();
    const minute = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(minute - 1_000);
    const stub = env.RATE_LIMITER.getByName(`analytics:${t.customerId}`);
    for (let i = 0; i < 60; i++) expect((await stub.hit(60, 60)).allowed).toBe(true);
    vi.setSystemTime(minute + 1_000);
    const over = await api("/api/voice/analytics/overview", { token: t.token });
    expect(over.status).toBe(429);
    expect(over.headers.get("Retry-After")).toBe("58");
  });
});
