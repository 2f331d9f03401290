/**
 * POST /api/TwilioCalls/legstatus: the status callback of the receiver leg a translated call dials. Twilio-signed
 * like every Twilio webhook; it only ever reaches the call named in its (signed) URL, and only for that call's
 * own tenant and dialed leg. The behaviour it triggers is tested on every carrier in test/live/translate-progress.
 */
import { describe, expect, it } from "vitest";
import { provisionTenant, type Tenant } from "../helpers";
import { spokenOn, twilioDriver } from "../live/drivers";
import { newCallSid, postTwilio, twilioRequests } from "../live/live-helpers";
import { translateCall } from "../live/translate-helpers";
import { api } from "../helpers";

async function ringingCall(t: Tenant) {
  const c = await translateCall(twilioDriver, t);
  const caller = await twilioDriver.connect(c.callerSid, c.callerSid);
  caller.start(t.accountSid, c.parameters);
  const dial = await twilioDriver.dialed(t, c.callerSid);
  return { c, caller, dial, path: `/api/TwilioCalls/legstatus?call=${c.callerSid}` };
}

describe("POST /api/TwilioCalls/legstatus", () => {
  it("the receiver is dialed with a status callback naming the call, for the dial timeout", async () => {
    const t = await provisionTenant();
    const { c, caller } = await ringingCall(t);
    const dial = (await twilioRequests(t)).find((r) => r.method === "POST" && r.path.endsWith("/Calls.json"))!;
    expect(dial.params).toMatchObject({
      StatusCallback: `https://voicedesk.test/api/TwilioCalls/legstatus?call=${c.callerSid}`,
      StatusCallbackMethod: "POST",
      StatusCallbackEvent: "completed",
      Timeout: "30",
    });
    caller.stop(t.accountSid);
  });

  it("refuses unsigned and badly signed callbacks before touching the call", async () => {
    const t = await provisionTenant();
    const { c, caller, dial, path } = await ringingCall(t);
    const form = new URLSearchParams({ AccountSid: t.accountSid, CallSid: dial.callRef, CallStatus: "busy" });
    const headers = { "Content-Type": "application/x-www-form-urlencoded" };
    expect((await api(path, { method: "POST", body: form.toString(), headers })).status).toBe(403);
    const forged = await api(path, {
      method: "POST",
      body: form.toString(),
      headers: { ...headers, "X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl" },
    });
    expect(forged.status).toBe(403);
    expect(await spokenOn(twilioDriver, t, c.callerSid)).toBeNull();
    caller.stop(t.accountSid);
  });

  it("400 names a missing call key or an unknown status", async () => {
    const t = await provisionTenant();
    const noKey = await postTwilio(t, "/api/TwilioCalls/legstatus", { CallSid: newCallSid(), CallStatus: "busy" });
    expect(noKey.status).toBe(400);
    expect(((await noKey.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(["call"]);
    const bad = await postTwilio(t, `/api/TwilioCalls/legstatus?call=${newCallSid()}`, {
      CallSid: newCallSid(),
      CallStatus: "exploded",
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(["CallStatus"]);
  });

  it("another tenant's callback, or one for another leg, changes nothing", async () => {
    const t = await provisionTenant();
    const other = await provisionTenant();
    const { c, caller, dial, path } = await ringingCall(t);
    const foreign = await postTwilio(other, path, { CallSid: dial.callRef, CallStatus: "busy" });
    expect(foreign.status).toBe(200);
    expect(await foreign.json()).toEqual({ accepted: false, reason: "no such call" });
    const otherLeg = await postTwilio(t, path, { CallSid: newCallSid(), CallStatus: "busy" });
    expect(await otherLeg.json()).toEqual({ accepted: false, reason: "not this call's receiver leg" });
    const ringing = await postTwilio(t, path, { CallSid: dial.callRef, CallStatus: "ringing" });
    expect(await ringing.json()).toEqual({ accepted: true, reason: "Ringing: nothing to do" });
    expect(await spokenOn(twilioDriver, t, c.callerSid)).toBeNull();
    const unknownCall = await postTwilio(t, `/api/TwilioCalls/legstatus?call=${newCallSid()}`, {
      CallSid: dial.callRef,
      CallStatus: "busy",
    });
    expect(await unknownCall.json()).toEqual({ accepted: false, reason: "no such call" });
    // The real one still works.
    const busy = await postTwilio(t, path, { CallSid: dial.callRef, CallStatus: "busy" });
    expect(await busy.json()).toEqual({ accepted: true });
    expect(await spokenOn(twilioDriver, t, c.callerSid)).toEqual({
      text: "The line is busy. Goodbye.",
      language: "en-US",
    });
    caller.stop(t.accountSid);
  });
});
