import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RingCentralRest } from "../../../src/carriers/ringcentral/rest";
import { MAX_RETRIES, MAX_WAIT_MS, parseRetryAfter, retryDelay } from "../../../src/carriers/ringcentral/retry";
import { UpstreamError } from "../../../src/lib/upstream";
import { apiRequests, failNext, provisionRingCentral, recordedSleep, setDevices, tokenRequests } from "./helpers";

describe("retry policy (pure)", () => {
  const now = Date.parse("2026-05-01T10:00:00Z");

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("0.5", now)).toBe(500);
    expect(parseRetryAfter("Fri, 01 May 2026 10:00:07 GMT", now)).toBe(7000);
    expect(parseRetryAfter("Fri, 01 May 2026 09:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
  });

  it("429 waits what RingCentral asks, within the bound, a bounded number of times", () => {
    expect(retryDelay(429, "2", 0, true, now)).toBe(2000);
    // Without Retry-After RingCentral advises 30 s: beyond the bound, so not retried.
    expect(retryDelay(429, null, 0, true, now)).toBeNull();
    expect(retryDelay(429, String(MAX_WAIT_MS / 1000), 1, false, now)).toBe(MAX_WAIT_MS);
    expect(retryDelay(429, String(MAX_WAIT_MS / 1000 + 1), 0, true, now)).toBeNull();
    expect(retryDelay(429, "1", MAX_RETRIES, true, now)).toBeNull();
  });

  it("5xx and unreachable back off when allowed; 4xx never retry", () => {
    expect(retryDelay(503, null, 0, true, now)).toBe(500);
    expect(retryDelay(500, null, 1, true, now)).toBe(1000);
    expect(retryDelay(0, null, 0, true, now)).toBe(500);
    expect(retryDelay(503, null, 0, false, now)).toBeNull();
    expect(retryDelay(502, null, MAX_RETRIES, true, now)).toBeNull();
    for (const s of [400, 403, 404, 409]) expect(retryDelay(s, "1", 0, true, now)).toBeNull();
  });
});

describe("retry policy against the fake", () => {
  async function tenantWithDevice() {
    const t = await provisionRingCentral();
    await setDevices(t, [{ id: "d1", status: "Online" }]);
    const clock = recordedSleep();
    return { t, clock, rest: new RingCentralRest(env, t.account, { sleep: clock.sleep }) };
  }
  const failure = (e: unknown) => e as UpstreamError;

  it("429 with Retry-After: waits that long and tries again", async () => {
    const { t, clock, rest } = await tenantWithDevice();
    await failNext(t, { pathPattern: "/device$", status: 429, retryAfter: "2" });
    expect((await rest.listDevices()).map((d) => d.id)).toEqual(["d1"]);
    expect(clock.waits).toEqual([2000]);
    expect((await apiRequests(t)).map((r) => r.status)).toEqual([429, 200]);
  });

  it("429 every time: MAX_RETRIES retries, then RingCentral's 429 as an UpstreamError", async () => {
    const { t, clock, rest } = await tenantWithDevice();
    await failNext(t, { pathPattern: "/device$", status: 429, retryAfter: "1", times: 10 });
    const e = failure(await rest.listDevices().catch((x: unknown) => x));
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e).toMatchObject({ service: "RingCentral", status: 429, code: "CMN-301" });
    expect(clock.waits).toEqual([1000, 1000]);
    expect(await apiRequests(t)).toHaveLength(1 + MAX_RETRIES);
  });

  it("429 asking for longer than the bound: not waited for, not retried", async () => {
    const { t, clock, rest } = await tenantWithDevice();
    await failNext(t, { pathPattern: "/device$", status: 429, retryAfter: "60" });
    expect(failure(await rest.listDevices().catch((x: unknown) => x)).status).toBe(429);
    expect(clock.waits).toEqual([]);
    expect(await apiRequests(t)).toHaveLength(1);
  });

  it("403 and 404 are not retried; their errorCode comes through", async () => {
    const { t, clock, rest } = await tenantWithDevice();
    await failNext(t, { pathPattern: "/device$", status: 403 });
    expect(failure(await rest.listDevices().catch((x: unknown) => x))).toMatchObject({
      status: 403,
      code: "CMN-419",
    });
    await failNext(t, { pathPattern: "/device$", status: 404 });
    expect(failure(await rest.listDevices().catch((x: unknown) => x))).toMatchObject({
      status: 404,
      code: "CMN-102",
    });
    expect(clock.waits).toEqual([]);
    expect(await apiRequests(t)).toHaveLength(2);
  });

  it("5xx: backs off and retries a bounded number of times", async () => {
    const { t, clock, rest } = await tenantWithDevice();
    await failNext(t, { pathPattern: "/device$", status: 503, times: 2 });
    expect((await rest.listDevices()).map((d) => d.id)).toEqual(["d1"]);
    expect(clock.waits).toEqual([500, 1000]);
    await failNext(t, { pathPattern: "/device$", status: 500, times: 10 });
    expect(failure(await rest.listDevices().catch((x: unknown) => x)).status).toBe(500);
    expect(await apiRequests(t)).toHaveLength(3 + 1 + MAX_RETRIES);
  });

  it("a subscription create is not repeated on a 5xx (it may have landed)", async () => {
    const { t, clock, rest } = await tenantWithDevice();
    await failNext(t, { pathPattern: "/subscription$", status: 503 });
    const body = {
      eventFilters: ["/restapi/v1.0/account/~/extension/~/telephony/sessions"],
      deliveryMode: { transportType: "WebHook" as const, address: "https://x.test/h", verificationToken: "v" },
      expiresIn: 60,
    };
    expect(failure(await rest.createSubscription(body).catch((x: unknown) => x)).status).toBe(503);
    expect(clock.waits).toEqual([]);
  });

  it("the token request follows the same policy (429 at the token endpoint)", async () => {
    const t = await provisionRingCentral();
    await setDevices(t, [{ id: "d1", status: "Online" }]);
    // The token object sleeps for real, so RingCentral "asks" for no wait at all here.
    await failNext(t, { pathPattern: "^/restapi/oauth/token$", status: 429, retryAfter: "0" });
    const rest = new RingCentralRest(env, t.account);
    expect((await rest.listDevices()).map((d) => d.id)).toEqual(["d1"]);
    expect(await tokenRequests(t)).toHaveLength(2);
  });
});
