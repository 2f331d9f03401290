import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { executeAction } from "../../../src/carriers/ringcentral/actions";
import { RingCentralRest } from "../../../src/carriers/ringcentral/rest";
import {
  apiRequests,
  commands,
  failNext,
  provisionRingCentral,
  recordedSleep,
  ringCall,
  setDevices,
  type RcTenant,
} from "./helpers";

async function ringing(t: RcTenant, extra: Record<string, unknown> = {}) {
  const call = await ringCall(t, "+32470123456", extra);
  const clock = recordedSleep();
  const rest = new RingCentralRest(env, t.account, { sleep: clock.sleep });
  const answer = {
    kind: "answer" as const,
    telephonySessionId: call.telephonySessionId,
    partyId: call.partyId,
    extensionId: t.extensionId,
  };
  return { call, clock, rest, answer };
}

describe("answer", () => {
  it("lists the authorized extension's devices (`~`, as RingCentral documents it) and answers on an Online one", async () => {
    const t = await provisionRingCentral();
    await setDevices(t, [
      { id: "801", status: "Offline" },
      { id: "802", status: "Online" },
      { id: "803", status: "Online" },
    ]);
    const { call, rest, answer } = await ringing(t);
    expect(await executeAction(rest, answer, t)).toEqual({ kind: "answered", deviceId: "802" });
    expect(await commands(t)).toEqual([
      {
        clientId: t.account.clientId,
        action: "answer",
        telephonySessionId: call.telephonySessionId,
        partyId: call.partyId,
        body: { deviceId: "802" },
      },
    ]);
    expect((await apiRequests(t)).map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /restapi/v1.0/account/~/extension/~/device",
      `POST /restapi/v1.0/account/~/telephony/sessions/${call.telephonySessionId}/parties/${call.partyId}/answer`,
    ]);
  });

  it("no Online device: the call is left ringing, and why is said", async () => {
    const t = await provisionRingCentral();
    await setDevices(t, [
      { id: "801", status: "Offline" },
      { id: "802", status: "Offline" },
    ]);
    const { rest, answer } = await ringing(t);
    expect(await executeAction(rest, answer, t)).toEqual({
      kind: "left-ringing",
      why: "none of the extension's 2 devices is Online",
    });
    await setDevices(t, []);
    expect(await executeAction(rest, answer, t)).toEqual({ kind: "left-ringing", why: "the extension has no devices" });
    expect(await commands(t)).toEqual([]);
  });

  it("403 (not the owner of the call): failed, logged, not retried", async () => {
    const t = await provisionRingCentral();
    await setDevices(t, [{ id: "802", status: "Online" }]);
    // The fake refuses call control on a party of another extension, as RingCentral does.
    const { rest, answer, clock } = await ringing(t, { extensionId: "499999999999" });
    const r = await executeAction(rest, answer, t);
    expect(r).toMatchObject({ kind: "failed", status: 403, code: "CMN-419" });
    expect(r.kind === "failed" && r.why).toMatch(/only the extension that owns the call/);
    expect(clock.waits).toEqual([]);
    expect((await apiRequests(t)).filter((q) => q.path.endsWith("/answer"))).toHaveLength(1);
  });

  it("404 (the call is gone): failed, not retried", async () => {
    const t = await provisionRingCentral();
    await setDevices(t, [{ id: "802", status: "Online" }]);
    const { rest, answer } = await ringing(t);
    const r = await executeAction(rest, { ...answer, partyId: "p-gone" }, t);
    expect(r).toMatchObject({
      kind: "failed",
      status: 404,
      why: "the call or party is gone (hung up, or answered elsewhere)",
    });
    expect((await apiRequests(t)).filter((q) => q.path.endsWith("/answer"))).toHaveLength(1);
  });

  it("429 with Retry-After on answer: waits, answers on the retry", async () => {
    const t = await provisionRingCentral();
    await setDevices(t, [{ id: "802", status: "Online" }]);
    const { rest, answer, clock } = await ringing(t);
    await failNext(t, { pathPattern: "/answer$", status: 429, retryAfter: "2" });
    expect(await executeAction(rest, answer, t)).toEqual({ kind: "answered", deviceId: "802" });
    expect(clock.waits).toEqual([2000]);
    expect((await commands(t)).map((c) => c.action)).toEqual(["answer"]);
  });
});

describe("forward", () => {
  it("forwards the party to the AI line", async () => {
    const t = await provisionRingCentral({ mode: "forward-to-ai", aiLine: "+3225550100" });
    const { call, rest } = await ringing(t);
    const forward = {
      kind: "forward" as const,
      telephonySessionId: call.telephonySessionId,
      partyId: call.partyId,
      extensionId: t.extensionId,
      phoneNumber: "+3225550100",
    };
    expect(await executeAction(rest, forward, t)).toEqual({ kind: "forwarded", phoneNumber: "+3225550100" });
    expect(await commands(t)).toEqual([
      {
        clientId: t.account.clientId,
        action: "forward",
        telephonySessionId: call.telephonySessionId,
        partyId: call.partyId,
        body: { phoneNumber: "+3225550100" },
      },
    ]);
  });

  it("a 'none' decision does nothing at RingCentral", async () => {
    const t = await provisionRingCentral();
    const { rest } = await ringing(t);
    expect(await executeAction(rest, { kind: "none", why: "Setup" }, t)).toEqual({ kind: "none", why: "Setup" });
    expect(await apiRequests(t)).toEqual([]);
  });
});
