import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CallRow } from "../../src/db/calls";
import type { TicketRow } from "../../src/db/tickets";
import { BASE, admin, api, hex, json, provisionTenant, twilioFake, type Tenant } from "../helpers";

interface FakeCall {
  sid: string;
  status: string;
  request_params: Record<string, string | string[]>;
}
interface Initiated {
  callSid: string;
  callId: string;
  status: string;
  state: string;
  ticketId: number;
}

const fakeCalls = async (accountSid: string) =>
  (await (await twilioFake(`/calls?accountSid=${accountSid}`)).json()) as FakeCall[];
const fakeRequests = async (accountSid: string) =>
  (await (await twilioFake(`/requests?accountSid=${accountSid}`)).json()) as { method: string; path: string }[];
const callCount = async (customerId: number) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM calls WHERE customer_id = ?1")
    .bind(customerId)
    .first<{ n: number }>())!.n;
const failNext = (pathPattern: string, status: number, code: number, message: string) =>
  twilioFake("/fail", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ pathPattern, status, code, message, times: 1 }),
  });
const initiate = (t: Tenant, body: unknown) =>
  api("/api/TwilioCalls/initiate-call", { method: "POST", token: t.token, json: body });
const endUser = () => `+32470${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;

describe("POST /api/TwilioCalls/initiate-call", () => {
  it("creates the call through Twilio (rep's client first, voice webhook with the call's fields) and the call record", async () => {
    const t = await provisionTenant();
    const to = endUser();
    const local = `0032 ${to.slice(3, 6)} ${to.slice(6, 9)}-${to.slice(9)}`;
    const res = await initiate(t, {
      fromNumber: t.repNumber.replace(/^\+32(\d)(\d+)$/, "+32 ($1) $2"),
      toNumber: local,
    });
    expect(res.status).toBe(201);
    const body = await json<Initiated>(res);
    expect(body).toMatchObject({ status: "queued", state: "Queued" });

    const created = (await fakeCalls(t.accountSid)).find((c) => c.sid === body.callSid)!;
    const p = created.request_params;
    expect(p.To).toBe(`client:${t.repIdentity}`);
    expect(p.From).toBe(t.repNumber);
    expect(p.Method).toBe("POST");
    expect(p.StatusCallback).toBe(`${BASE}/api/TwilioCalls/statuscallback`);
    expect(p.StatusCallbackEvent).toEqual(["initiated", "ringing", "answered", "completed"]);
    const url = new URL(p.Url as string);
    expect(url.origin + url.pathname).toBe(`${BASE}/api/TwilioCalls/voice`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      RepID: String(t.repId),
      FromNumber: t.repNumber,
      To: to,
      Record: "true",
      Translate: "false",
    });

    const row = await env.DB.prepare("SELECT * FROM calls WHERE id = ?1").bind(body.callId).first<CallRow>();
    expect(row).toMatchObject({
      customer_id: t.customerId,
      carrier: "twilio",
      direction: "Outbound",
      state: "Queued",
      mode: "record",
      from_number: t.repNumber,
      to_number: to,
      rep_id: t.repId,
      call_sid: body.callSid,
      ticket_id: body.ticketId,
    });
    const ticket = await env.DB.prepare("SELECT * FROM tickets WHERE id = ?1").bind(body.ticketId).first<TicketRow>();
    expect(ticket).toMatchObject({ customer_id: t.customerId, channel: "phone", phone_number: to, status: "open" });
  });

  it("joins the end user's open phone ticket, and can ask for an unrecorded or a translated call", async () => {
    const t = await provisionTenant();
    const to = endUser();
    const ticket = await json<{ id: number }>(
      await api("/api/tickets", {
        method: "POST",
        token: t.token,
        json: { channel: "phone", subject: "Earlier", phoneNumber: to },
      }),
    );
    const plain = await json<Initiated>(await initiate(t, { fromNumber: t.repNumber, toNumber: to, record: false }));
    expect(plain.ticketId).toBe(ticket.id);
    const tr = await json<Initiated>(
      await initiate(t, {
        fromNumber: t.repNumber,
        toNumber: to,
        translate: true,
        callerLanguage: "nl-BE",
        receiverLanguage: "fr",
        forwardRawAudio: true,
      }),
    );
    const calls = await fakeCalls(t.accountSid);
    const q = (sid: string) =>
      Object.fromEntries(new URL(calls.find((c) => c.sid === sid)!.request_params.Url as string).searchParams);
    expect(q(plain.callSid)).toMatchObject({ Record: "false", Translate: "false" });
    expect(q(tr.callSid)).toMatchObject({
      Translate: "true",
      CallerLanguage: "nl-BE",
      ReceiverLanguage: "fr",
      ForwardRawAudio: "true",
    });
    const modes = await env.DB.prepare("SELECT call_sid, mode FROM calls WHERE customer_id = ?1")
      .bind(t.customerId)
      .all<{ call_sid: string; mode: string }>();
    expect(Object.fromEntries(modes.results.map((r) => [r.call_sid, r.mode]))).toEqual({
      [plain.callSid]: "plain",
      [tr.callSid]: "translate",
    });
  });

  it("refuses malformed numbers with 400 naming each field", async () => {
    const t = await provisionTenant();
    for (const [body, paths] of [
      [{ fromNumber: t.repNumber, toNumber: "0470 00 00 00" }, ["toNumber"]],
      [{ fromNumber: "call me", toNumber: "+32 abc" }, ["fromNumber", "toNumber"]],
      [{ toNumber: endUser() }, ["fromNumber"]],
      [{ fromNumber: t.repNumber, toNumber: endUser(), record: "yes" }, ["record"]],
      [
        { fromNumber: t.repNumber, toNumber: endUser(), translate: true, callerLanguage: "en\r\nx" },
        ["callerLanguage"],
      ],
    ] as const) {
      const res = await initiate(t, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json<{ issues: { path: string }[] }>(res)).issues.map((i) => i.path).sort()).toEqual([...paths]);
    }
    expect(await callCount(t.customerId)).toBe(0);
  });

  it("takes any printable language up to 64 characters (English, fr_FR) and hands it to the voice webhook", async () => {
    const t = await provisionTenant();
    const res = await initiate(t, {
      fromNumber: t.repNumber,
      toNumber: endUser(),
      translate: true,
      callerLanguage: "English",
      receiverLanguage: "fr_FR",
    });
    expect(res.status).toBe(201);
    const { callSid } = await json<Initiated>(res);
    const url = new URL((await fakeCalls(t.accountSid)).find((c) => c.sid === callSid)!.request_params.Url as string);
    expect(url.searchParams.get("CallerLanguage")).toBe("English");
    expect(url.searchParams.get("ReceiverLanguage")).toBe("fr_FR");
    const tooLong = await initiate(t, { fromNumber: t.repNumber, toNumber: endUser(), callerLanguage: "x".repeat(65) });
    expect(tooLong.status).toBe(400);
  });

  it("only calls from the tenant's numbers that are this rep's or shared", async () => {
    const t = await provisionTenant();
    const other = await provisionTenant();
    const shared = `+3228${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
    await admin(`/customers/${t.customerId}/phone-numbers`, { method: "POST", json: { number: shared } });
    const rep2 = await json<{ id: number }>(
      await admin(`/customers/${t.customerId}/reps`, {
        method: "POST",
        json: { name: "Rep Two", phoneNumbers: ["+3229999001"] },
      }),
    );
    expect(rep2.id).toBeGreaterThan(0);
    const before = (await fakeRequests(t.accountSid)).length;

    const foreign = await initiate(t, { fromNumber: other.repNumber, toNumber: endUser() });
    expect(foreign.status).toBe(403);
    const foreignError = (await json<{ error: string }>(foreign)).error;
    expect(foreignError).toMatch(/not a number of your account/);
    const unknown = await initiate(t, { fromNumber: "+3220000000", toNumber: endUser() });
    expect(unknown.status).toBe(403);
    // another tenant's number and nobody's number are refused alike: nothing leaks across tenants
    expect((await json(unknown)).error).toBe(foreignError.replace(other.repNumber, "+3220000000"));
    const colleague = await initiate(t, { fromNumber: "+3229999001", toNumber: endUser() });
    expect(colleague.status).toBe(403);
    expect((await json(colleague)).error).toMatch(/assigned to another rep/);
    expect((await fakeRequests(t.accountSid)).length).toBe(before);
    expect(await callCount(t.customerId)).toBe(0);

    expect((await initiate(t, { fromNumber: shared, toNumber: endUser() })).status).toBe(201);
  });

  it.each([
    [400, 21211, "Invalid 'To' Phone Number", 400],
    [400, 21210, "The source phone number provided is not yet verified for your account.", 400],
    [401, 20003, "Authenticate", 502],
    [500, 20500, "Internal Server Error", 502],
    [429, 20429, "Too Many Requests", 503],
  ])("maps Twilio's HTTP %i (code %i, %s) to our %i", async (status, code, message, ours) => {
    const t = await provisionTenant();
    await failNext(`^/2010-04-01/Accounts/${t.accountSid}/Calls\\.json$`, status, code, message);
    const res = await initiate(t, { fromNumber: t.repNumber, toNumber: endUser() });
    expect(res.status).toBe(ours);
    const body = await json(res);
    expect(body).toMatchObject({ twilioCode: code, twilioStatus: status });
    expect(body.error).toContain(message);
    expect(await callCount(t.customerId)).toBe(0);
  });

  it("needs a rep token", async () => {
    expect(
      (
        await api("/api/TwilioCalls/initiate-call", {
          method: "POST",
          json: { fromNumber: "+3225550100", toNumber: "+32470000000" },
        })
      ).status,
    ).toBe(401);
  });
});

describe("GET /api/TwilioCalls/call-status", () => {
  const setFake = (sid: string, patch: Record<string, unknown>) =>
    twilioFake(`/calls/${sid}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(patch),
    });
  const status = (t: Tenant, callSid: string) =>
    api(`/api/TwilioCalls/call-status?callSid=${callSid}`, { token: t.token });

  it("reports the parent call until a child leg exists, then the child, and updates the call record", async () => {
    const t = await provisionTenant();
    const to = endUser();
    const call = await json<Initiated>(await initiate(t, { fromNumber: t.repNumber, toNumber: to }));

    await setFake(call.callSid, { status: "in-progress", start_time: "Sun, 22 Nov 2026 10:00:00 +0000" });
    const parent = await status(t, call.callSid);
    expect(parent.status).toBe(200);
    expect(await json(parent)).toEqual({
      callSid: call.callSid,
      status: "in-progress",
      state: "InProgress",
      callId: call.callId,
    });

    const child = `CA${hex(16)}`;
    await setFake(child, {
      account_sid: t.accountSid,
      parent_call_sid: call.callSid,
      status: "ringing",
      to,
      from: t.repNumber,
    });
    expect(await json(await status(t, call.callSid))).toEqual({
      callSid: call.callSid,
      status: "ringing",
      childCallSid: child,
      state: "Ringing",
      callId: call.callId,
    });

    await setFake(child, {
      status: "completed",
      start_time: "Sun, 22 Nov 2026 10:00:05 +0000",
      end_time: "Sun, 22 Nov 2026 10:00:47 +0000",
      duration: "42",
    });
    expect(await json(await status(t, call.callSid))).toMatchObject({
      status: "completed",
      childCallSid: child,
      state: "Completed",
    });
    const row = await env.DB.prepare("SELECT * FROM calls WHERE id = ?1").bind(call.callId).first<CallRow>();
    expect(row).toMatchObject({
      state: "Completed",
      duration_seconds: 42,
      start_time: "2026-11-22T10:00:05.000Z",
      end_time: "2026-11-22T10:00:47.000Z",
    });
    const asked = (await fakeRequests(t.accountSid)).filter((r) => r.method === "GET").map((r) => r.path);
    expect(asked).toContain(
      `/2010-04-01/Accounts/${t.accountSid}/Calls.json?ParentCallSid=${call.callSid}&PageSize=20`,
    );
  });

  it("answers 404 for another tenant's call or an unknown SID, without asking Twilio", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const call = await json<Initiated>(await initiate(a, { fromNumber: a.repNumber, toNumber: endUser() }));
    const before = (await fakeRequests(b.accountSid)).length;
    const foreign = await status(b, call.callSid);
    expect(foreign.status).toBe(404);
    expect((await status(b, `CA${hex(16)}`)).status).toBe(404);
    expect((await fakeRequests(b.accountSid)).length).toBe(before);
  });

  it("validates the SID, needs a rep token, and maps Twilio failures", async () => {
    const t = await provisionTenant();
    expect((await status(t, "CA-123")).status).toBe(400);
    expect((await api("/api/TwilioCalls/call-status", { token: t.token })).status).toBe(400);
    expect((await api(`/api/TwilioCalls/call-status?callSid=CA${hex(16)}`)).status).toBe(401);
    const call = await json<Initiated>(await initiate(t, { fromNumber: t.repNumber, toNumber: endUser() }));
    await failNext(`/Calls\\.json$`, 503, 20503, "Service Unavailable");
    expect((await status(t, call.callSid)).status).toBe(502);
  });
});

describe("a Twilio 2xx without the JSON a route reads", () => {
  afterEach(() => vi.restoreAllMocks());
  /** Twilio's Calls.json answers `status` with `body` (the Worker and the tests share this isolate's fetch). */
  const callsAnswer = (status: number, body: string) => {
    const real = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (url.startsWith(env.TWILIO_API_BASE_URL!) && /\/Calls(\/CA\w+)?\.json(\?|$)/.test(new URL(url).pathname + "?"))
        return Promise.resolve(new Response(body || null, { status }));
      return real(input, init);
    });
  };

  it("initiate-call: a 201 with only the call's sid is enough", async () => {
    const t = await provisionTenant();
    const sid = `CA${"1".repeat(32)}`;
    callsAnswer(201, JSON.stringify({ sid }));
    const res = await initiate(t, { fromNumber: t.repNumber, toNumber: endUser() });
    vi.restoreAllMocks();
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ callSid: sid });
    expect(await callCount(t.customerId)).toBe(1);
  });

  it("initiate-call: an empty or non-JSON 201 is a 502 (never a 500), and no call record is written", async () => {
    for (const body of ["", "<Response/>", '{"code":1}']) {
      const t = await provisionTenant();
      callsAnswer(201, body);
      const res = await initiate(t, { fromNumber: t.repNumber, toNumber: endUser() });
      vi.restoreAllMocks();
      expect(res.status, JSON.stringify(body)).toBe(502);
      expect(await json(res)).toMatchObject({ error: expect.stringContaining("Twilio") });
      expect(await callCount(t.customerId)).toBe(0);
    }
  });

  it("call-status: an empty 200 from Twilio is a 502", async () => {
    const t = await provisionTenant();
    const call = await json<Initiated>(await initiate(t, { fromNumber: t.repNumber, toNumber: endUser() }));
    callsAnswer(200, "");
    const res = await api(`/api/TwilioCalls/call-status?callSid=${call.callSid}`, { token: t.token });
    vi.restoreAllMocks();
    expect(res.status).toBe(502);
  });
});
