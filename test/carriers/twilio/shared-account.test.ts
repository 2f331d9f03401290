import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { CallRow } from "../../../src/db/calls";
import { admin, api, hex, json, provisionTenant, repToken, type Tenant } from "../../helpers";
import { twilioPost } from "./helpers";

const endUser = () => `+32470${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
const callSid = () => `CA${hex(16)}`;
const callBySid = async (sid: string) =>
  (await env.DB.prepare("SELECT * FROM calls WHERE call_sid = ?1").bind(sid).all<CallRow>()).results;

/** A second customer on `a`'s Twilio account (same SID, auth token, API key and TwiML app), with a rep and number. */
async function onSameAccount(a: Tenant): Promise<Tenant> {
  const res = await admin("/customers", {
    method: "POST",
    json: {
      name: "Shares the account",
      twilio: {
        accountSid: a.accountSid,
        authToken: a.authToken,
        apiKeySid: a.apiKeySid,
        apiKeySecret: a.apiKeySecret,
        twimlAppSid: a.twimlAppSid,
      },
    },
  });
  expect(res.status).toBe(201);
  const customerId = (await json<{ id: number }>(res)).id;
  const repNumber = `+3226${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
  const rep = await json<{ id: number; identity: string }>(
    await admin(`/customers/${customerId}/reps`, {
      method: "POST",
      json: { name: "Rep Two", phoneNumbers: [repNumber] },
    }),
  );
  return { ...a, customerId, repId: rep.id, repIdentity: rep.identity, repNumber, token: await repToken(rep.id) };
}

/** The browser call's voice webhook as Twilio posts it for a rep of `t`. */
const voiceForm = (t: Tenant, sid: string) => ({
  AccountSid: t.accountSid,
  CallSid: sid,
  Direction: "inbound",
  From: `client:${t.repIdentity}`,
  FromNumber: t.repNumber,
  To: endUser(),
  RepID: String(t.repId),
  Record: "false",
  Translate: "false",
});

describe("one Twilio account shared by several customers", () => {
  it("gives each webhook to the customer owning the rep, call or number it names", async () => {
    const a = await provisionTenant();
    const b = await onSameAccount(a);
    for (const t of [b, a]) {
      const sid = callSid();
      const res = await twilioPost("/api/TwilioCalls/voice", voiceForm(t, sid), t.authToken);
      expect(res.status).toBe(200);
      expect((await callBySid(sid)).map((c) => c.customer_id)).toEqual([t.customerId]);
      // A later callback names only the call: it goes to the customer whose call it is.
      const status = await twilioPost(
        "/api/TwilioCalls/statuscallback",
        { AccountSid: t.accountSid, CallSid: sid, CallStatus: "completed", CallDuration: "3" },
        t.authToken,
      );
      expect(await json(status)).toEqual({ updated: true, state: "Completed" });
      expect((await callBySid(sid))[0]).toMatchObject({ customer_id: t.customerId, state: "Completed" });
    }
    // Each sees its own call and not the other's.
    const listed = await json<{ total: number }>(await api("/api/v1/voice-calls", { token: b.token }));
    expect(listed.total).toBe(1);
  });

  it("refuses (403, nothing written) a webhook that names nothing only one of them owns, or is badly signed", async () => {
    const a = await provisionTenant();
    await onSameAccount(a);
    const sid = callSid();
    const unowned = await twilioPost(
      "/twiml",
      { AccountSid: a.accountSid, CallSid: sid, Direction: "inbound", From: endUser(), To: endUser() },
      a.authToken,
    );
    expect(unowned.status).toBe(403);
    expect(await json(unowned)).toEqual({ error: "Invalid Twilio signature" });
    const forged = await twilioPost("/api/TwilioCalls/voice", voiceForm(a, sid), a.authToken, { signWith: hex(16) });
    expect(forged.status).toBe(403);
    expect(await callBySid(sid)).toEqual([]);
  });

  it("tells customers apart by the auth token when each has its own on the same account SID", async () => {
    const a = await provisionTenant();
    const ownToken = hex(16);
    const res = await admin("/customers", {
      method: "POST",
      json: {
        name: "Own token",
        twilio: {
          accountSid: a.accountSid,
          authToken: ownToken,
          apiKeySid: a.apiKeySid,
          apiKeySecret: a.apiKeySecret,
          twimlAppSid: a.twimlAppSid,
        },
      },
    });
    expect(res.status).toBe(201);
    const own = (await json<{ id: number }>(res)).id;
    // Signed with the second customer's token, naming nothing either owns: only that customer's token signed it.
    const sid = callSid();
    const answered = await twilioPost(
      "/api/TwilioCalls/statuscallback",
      { AccountSid: a.accountSid, CallSid: sid, CallStatus: "ringing" },
      ownToken,
    );
    expect(answered.status).toBe(200);
    expect(await json(answered)).toEqual({ updated: false });
    expect(own).not.toBe(a.customerId);
  });
});
