import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_WEBHOOK_BYTES } from "../../src/carriers/twilio/webhook";
import { twilioSignature } from "../../src/carriers/twilio/signature";
import { getCallBySid } from "../../src/db/calls";
import { FIELD_BYTES, MAX_FIELDS } from "../../src/routes/transcriptions";
import { MAX_JSON_BYTES } from "../../src/lib/validate";
import { api, BASE, json, openaiFake, provisionTenant, type Tenant } from "../helpers";
import { assistantTenant, newCallSid } from "../live/live-helpers";

const enc = new TextEncoder();

/** A body without Content-Length, sent in 16 KiB pieces: only counting while reading can stop it. */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = enc.encode(text);
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(at, at + 16 * 1024));
      at += 16 * 1024;
    },
  });
}

const ticketCount = async (customerId: number) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM tickets WHERE customer_id = ?1").bind(customerId).first<{
    n: number;
  }>())!.n;

describe("JSON bodies are capped before they are read", () => {
  const oversized = () => JSON.stringify({ channel: "web", subject: "x".repeat(MAX_JSON_BYTES) });

  it("refuses a declared Content-Length over the cap (413) and writes nothing", async () => {
    const t = await provisionTenant();
    const res = await api("/api/tickets", {
      method: "POST",
      token: t.token,
      body: JSON.stringify({ channel: "web", subject: "small" }),
      headers: { "Content-Type": "application/json", "Content-Length": String(MAX_JSON_BYTES + 1) },
    });
    expect(res.status).toBe(413);
    expect(await json(res)).toEqual({
      error: `The JSON body is larger than the limit of ${MAX_JSON_BYTES} bytes`,
      limitBytes: MAX_JSON_BYTES,
    });
    expect(await ticketCount(t.customerId)).toBe(0);
  });

  it("refuses a chunked body once it passes the cap, on rep and anonymous routes alike", async () => {
    const t = await provisionTenant();
    const headers = { "Content-Type": "application/json" };
    const rep = await api("/api/tickets", { method: "POST", token: t.token, body: chunked(oversized()), headers });
    expect(rep.status).toBe(413);
    expect(await ticketCount(t.customerId)).toBe(0);
    const body = chunked(
      JSON.stringify({ customerId: t.customerId, phoneNumber: "+32470000001", pad: "x".repeat(MAX_JSON_BYTES) }),
    );
    const anon = await api("/api/Auth/phone-login/start", { method: "POST", body, headers });
    expect(anon.status).toBe(413);
    // a body under the cap still goes through
    const ok = await api("/api/tickets", {
      method: "POST",
      token: t.token,
      body: chunked(JSON.stringify({ channel: "web", subject: "fine" })),
      headers,
    });
    expect(ok.status).toBe(201);
  });
});

describe("Twilio webhook bodies are capped before the signature check reads them", () => {
  it("refuses an oversized form, declared or chunked, with 413 and writes nothing", async () => {
    const t = await assistantTenant();
    const callSid = newCallSid();
    const params = new URLSearchParams({
      AccountSid: t.accountSid,
      CallSid: callSid,
      From: "+32470000001",
      To: t.assistantNumber,
      Pad: "x".repeat(MAX_WEBHOOK_BYTES),
    });
    const headers = {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Twilio-Signature": await twilioSignature(t.authToken, `${BASE}/twiml`, params),
    };
    for (const body of [params.toString(), chunked(params.toString())]) {
      const res = await api("/twiml", { method: "POST", body, headers });
      expect(res.status).toBe(413);
      expect(await json(res)).toMatchObject({ limitBytes: MAX_WEBHOOK_BYTES });
    }
    expect(await getCallBySid(env.DB, t.customerId, "twilio", callSid)).toBeNull();
  });

  it("answers an unknown account exactly like a bad signature", async () => {
    const t = await assistantTenant();
    const fields = { CallSid: newCallSid(), From: "+32470000001", To: t.assistantNumber };
    const answers = [];
    for (const accountSid of [t.accountSid, `AC${"0".repeat(32)}`]) {
      const res = await api("/twiml", {
        method: "POST",
        body: new URLSearchParams({ AccountSid: accountSid, ...fields }).toString(),
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "bm9wZQ==" },
      });
      answers.push({ status: res.status, body: await res.text() });
    }
    expect(answers[0]).toEqual({ status: 403, body: JSON.stringify({ error: "Invalid Twilio signature" }) });
    expect(answers[1]).toEqual(answers[0]);
  });
});

describe("POST /api/Transcriptions/file caps its form fields", () => {
  const multipart = (fields: [string, string][]) => {
    const b = "capBoundary7";
    const parts = fields.map(([k, v]) => `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
    const file = `--${b}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\nRIFF\r\n--${b}--\r\n`;
    return { body: chunked(parts.join("") + file), type: `multipart/form-data; boundary=${b}` };
  };
  const send = (t: Tenant, fields: [string, string][]) => {
    const { body, type } = multipart(fields);
    return api("/api/Transcriptions/file", { method: "POST", token: t.token, body, headers: { "Content-Type": type } });
  };
  const forwarded = async (t: Tenant) =>
    (await json<unknown[]>(await openaiFake(`/transcriptions/requests?apiKey=${t.openaiKey}`))).length;

  it("refuses more than MAX_FIELDS fields before the file, and more than FIELD_BYTES of them, forwarding nothing", async () => {
    const t = await provisionTenant();
    const many = Array.from({ length: MAX_FIELDS + 1 }, (_, i): [string, string] => [`f${i}`, "v"]);
    const tooMany = await send(t, many);
    expect(tooMany.status).toBe(413);
    expect(await json(tooMany)).toMatchObject({ limitFields: MAX_FIELDS });
    const big: [string, string][] = [
      ["prompt", "p".repeat(FIELD_BYTES / 2)],
      ["language", "l".repeat(FIELD_BYTES / 2 + 1)],
    ];
    const tooBig = await send(t, big);
    expect(tooBig.status).toBe(413);
    expect(await json(tooBig)).toMatchObject({ limitBytes: FIELD_BYTES });
    expect(await forwarded(t)).toBe(0);
    // within both caps the file goes through
    const fine = await send(t, many.slice(0, MAX_FIELDS));
    expect(fine.status).toBe(200);
    expect(await forwarded(t)).toBe(1);
  });
});
