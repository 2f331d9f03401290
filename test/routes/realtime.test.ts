import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issuePhoneToken } from "../../src/auth/phone-token";
import { api, json, openaiFake, provisionTenant, type Tenant } from "../helpers";

/** A browser-shaped offer (Chrome's, trimmed). */
const OFFER =
  [
    "v=0",
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
    "s=-",
    "t=0 0",
    "a=group:BUNDLE 0 1",
    "a=msid-semantic: WMS",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0",
    "c=IN IP4 0.0.0.0",
    "a=rtcp:9 IN IP4 0.0.0.0",
    "a=ice-ufrag:abcd",
    "a=ice-pwd:0123456789abcdefghijklmn",
    "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
    "a=setup:actpass",
    "a=mid:0",
    "a=sendrecv",
    "a=rtcp-mux",
    "a=rtpmap:111 opus/48000/2",
    "a=rtpmap:0 PCMU/8000",
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
    "c=IN IP4 0.0.0.0",
    "a=setup:actpass",
    "a=mid:1",
    "a=sctp-port:5000",
  ].join("\r\n") + "\r\n";

function form(fields: Record<string, string | Blob | undefined>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) fd.append(k, v);
  return fd;
}
const call = (t: Tenant | string, body: BodyInit, headers?: HeadersInit) =>
  api("/api/realtime/calls", { method: "POST", token: typeof t === "string" ? t : t.token, body, headers });
const sent = async (t: Tenant) =>
  json<{ session: Record<string, unknown>; offer: string }[]>(
    await openaiFake(`/realtime-calls/requests?apiKey=${t.openaiKey}`),
  );

describe("POST /api/realtime/calls", () => {
  it("forwards the offer with the tenant's key and returns OpenAI's answer, status and Location", async () => {
    const t = await provisionTenant();
    const res = await call(
      t,
      form({
        sdp: new Blob([OFFER], { type: "application/sdp" }),
        session: JSON.stringify({ instructions: "Be brief", audio: { output: { voice: "marin" } } }),
      }),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get("Content-Type")).toBe("application/sdp");
    expect(res.headers.get("Location")).toMatch(/^\/v1\/realtime\/calls\/rtc_[0-9a-f]{32}$/);
    const answer = await res.text();
    expect(answer).toMatch(/^v=0\r\n/);
    expect(answer).toContain("a=setup:active");
    expect(answer).toContain("m=audio 9 UDP/TLS/RTP/SAVPF 111 0");
    expect(answer).not.toContain(t.openaiKey!);
    const [req] = await sent(t);
    expect(req!.offer).toBe(OFFER);
    // the tenant's realtime model fills in; the browser's settings are kept
    expect(req!.session).toEqual({
      type: "realtime",
      model: "gpt-realtime",
      instructions: "Be brief",
      audio: { output: { voice: "marin" } },
    });
  });

  it("keeps a model the browser chose", async () => {
    const t = await provisionTenant();
    expect(
      (await call(t, form({ sdp: OFFER, session: JSON.stringify({ type: "realtime", model: "gpt-realtime-mini" }) })))
        .status,
    ).toBe(201);
    expect((await sent(t))[0]!.session.model).toBe("gpt-realtime-mini");
  });

  it("checks the sdp and session fields", async () => {
    const t = await provisionTenant();
    const cases: [Record<string, string | undefined>, string, RegExp][] = [
      [{ sdp: undefined, session: "{}" }, "sdp", /required/],
      [{ sdp: "  ", session: "{}" }, "sdp", /required/],
      [{ sdp: "hello", session: "{}" }, "sdp", /v=0/],
      [{ sdp: OFFER.replace(/m=audio[^\r]*\r\n/, ""), session: "{}" }, "sdp", /m=audio/],
      [{ sdp: OFFER.replaceAll("a=setup:actpass", "a=setup:active"), session: "{}" }, "sdp", /answer, not an offer/],
      [{ sdp: OFFER, session: undefined }, "session", /required/],
      [{ sdp: OFFER, session: "{nope" }, "session", /not valid JSON/],
      [{ sdp: OFFER, session: "[1]" }, "session", /JSON object/],
      [{ sdp: OFFER, session: "42" }, "session", /JSON object/],
    ];
    for (const [fields, path, msg] of cases) {
      const res = await call(t, form(fields));
      expect(res.status, JSON.stringify(fields).slice(0, 80)).toBe(400);
      const body = await json<{ error: string; issues: { path: string; message: string }[] }>(res);
      expect(body.issues[0]!.path).toBe(path);
      expect(body.issues[0]!.message).toMatch(msg);
    }
    expect((await call(t, JSON.stringify({ sdp: OFFER }), { "Content-Type": "application/json" })).status).toBe(400);
    expect((await call(t, form({ sdp: OFFER, session: "x".repeat(300 * 1024) }))).status).toBe(413);
    expect(await sent(t)).toEqual([]);
  });

  it("maps OpenAI's errors and a missing key to clear answers", async () => {
    const noKey = await provisionTenant({ openai: false });
    const res = await call(noKey, form({ sdp: OFFER, session: "{}" }));
    expect(res.status).toBe(409);
    expect((await json(res)).error).toMatch(/no OpenAI API key/);
    const t = await provisionTenant();
    const bad = await call(t, form({ sdp: OFFER, session: JSON.stringify({ type: "transcription" }) }));
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ error: expect.stringMatching(/session.type/), upstreamStatus: 400 });
    for (const [status, expected] of [
      [401, 502],
      [500, 502],
      [429, 429],
    ] as const) {
      await openaiFake(`/realtime-calls/fail?apiKey=${t.openaiKey}`, {
        method: "POST",
        body: JSON.stringify({ status, message: `upstream ${status}` }),
      });
      const r = await call(t, form({ sdp: OFFER, session: "{}" }));
      expect(r.status).toBe(expected);
      expect(await json(r)).toMatchObject({
        error: expect.stringMatching(`upstream ${status}`),
        upstreamStatus: status,
      });
    }
  });

  it("is for reps only", async () => {
    const t = await provisionTenant();
    const { token } = await issuePhoneToken(env, t.customerId, "+32470123456");
    expect((await call(token, form({ sdp: OFFER, session: "{}" }))).status).toBe(403);
    expect(
      (await api("/api/realtime/calls", { method: "POST", body: form({ sdp: OFFER, session: "{}" }) })).status,
    ).toBe(401);
  });
});
