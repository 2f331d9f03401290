import { describe, expect, inject, it } from "vitest";
import { admin, BASE, hex, json, openaiFake, provisionTenant, type Tenant, twilioFake } from "../helpers";
import { failing, health, line, postJson } from "./helpers";

const TWIML_URL = `${BASE}/twiml`;
const VOICE_URL = `${BASE}/api/TwilioCalls/voice`;

/** A tenant whose Twilio account is set up as docs/deploy.md says: the TwiML app and one assistant number point here. */
async function configuredTenant(): Promise<Tenant & { assistantNumber: string; assistantId: number }> {
  const t = await provisionTenant();
  const assistant = await json<{ id: number }>(
    await admin(`/customers/${t.customerId}/assistants`, {
      method: "POST",
      json: { name: "Line", instructions: "Help." },
    }),
  );
  const assistantNumber = `+3223${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
  const added = await admin(`/customers/${t.customerId}/phone-numbers`, {
    method: "POST",
    json: { number: assistantNumber, assistantId: assistant.id },
  });
  expect(added.status).toBe(201);
  await twilioFake("/applications", postJson({ accountSid: t.accountSid, sid: t.twimlAppSid, voiceUrl: VOICE_URL }));
  await twilioFake(
    "/incoming-numbers",
    postJson({ accountSid: t.accountSid, phoneNumber: assistantNumber, voiceUrl: TWIML_URL }),
  );
  await twilioFake("/incoming-numbers", postJson({ accountSid: t.accountSid, phoneNumber: t.repNumber, voiceUrl: "" }));
  return { ...t, assistantNumber, assistantId: assistant.id };
}

const names = (id: number) =>
  ["twilio.credentials", "twilio.twimlApp", "twilio.numbers", "openai.key"].map((n) => `tenant.${id}.${n}`);

/** The tenant's report: exactly the named tenant checks fail (the deployment's own all pass), each with a fix. */
async function tenantFailing(t: Tenant, expected: string[], patch: Parameters<typeof health>[1] = {}) {
  const r = await health(`?customerId=${t.customerId}`, patch);
  expect(r.status).toBe(expected.length ? 503 : 200);
  expect(failing(r.body).map((c) => c.name)).toEqual(expected.map((n) => `tenant.${t.customerId}.${n}`));
  for (const c of failing(r.body)) expect(c.fix, c.name).toMatch(/\w/);
  return (name: string) => line(r.body, `tenant.${t.customerId}.${name}`);
}

describe("GET /api/admin/health?customerId=: one tenant", () => {
  it("passes for a tenant set up as documented, after the deployment's checks", async () => {
    const t = await configuredTenant();
    const r = await health(`?customerId=${t.customerId}`);
    expect(r.status).toBe(200);
    expect(r.body.checks.slice(-4).map((c) => c.name)).toEqual(names(t.customerId));
    const of = (n: string) => line(r.body, `tenant.${t.customerId}.${n}`)?.detail;
    const twilioHost = new URL(inject("twilioBaseUrl")).host;
    expect(of("twilio.credentials")).toBe(
      `API key ${t.apiKeySid} accepted by ${twilioHost} for ${t.accountSid} (2 numbers)`,
    );
    expect(of("twilio.twimlApp")).toBe(`TwiML app ${t.twimlAppSid} → ${VOICE_URL}`);
    expect(of("twilio.numbers")).toBe(`1 assistant numbers → ${TWIML_URL}`);
    expect(of("openai.key")).toBe("key accepted; gpt-realtime, gpt-4o-transcribe available");
    expect(r.text).not.toContain(t.apiKeySecret);
    expect(r.text).not.toContain(t.openaiKey ?? "no key");
  });

  it("Twilio refuses the API key: credentials fail, the URL checks are skipped, OpenAI is still checked", async () => {
    const t = await configuredTenant();
    await admin(`/customers/${t.customerId}`, {
      method: "PATCH",
      json: { twilio: { apiKeySecret: `wrong_${hex(8)}` } },
    });
    const of = await tenantFailing(t, ["twilio.credentials", "twilio.twimlApp", "twilio.numbers"]);
    expect(of("twilio.credentials")?.detail).toMatch(new RegExp(`refused API key ${t.apiKeySid}: Authenticate$`));
    expect(of("twilio.credentials")?.fix).toMatch(/API keys are per region: this tenant's is ie1/);
    expect(of("twilio.twimlApp")?.detail).toBe("not checked: twilio.credentials failed");
    expect(of("openai.key")?.ok).toBe(true);
  });

  it("the TwiML app calls another host, or is not in the account", async () => {
    const t = await configuredTenant();
    await twilioFake(
      "/applications",
      postJson({
        accountSid: t.accountSid,
        sid: t.twimlAppSid,
        voiceUrl: "https://old.example.com/api/TwilioCalls/voice",
      }),
    );
    let of = await tenantFailing(t, ["twilio.twimlApp"]);
    expect(of("twilio.twimlApp")?.detail).toBe(
      `TwiML app ${t.twimlAppSid} answers at https://old.example.com/api/TwilioCalls/voice, not ${VOICE_URL}`,
    );
    expect(of("twilio.twimlApp")?.fix).toBe(
      `Twilio console → Voice → TwiML apps → ${t.twimlAppSid}: Voice Request URL ${VOICE_URL} (POST)`,
    );
    const other = `AP${hex(16)}`;
    await admin(`/customers/${t.customerId}`, { method: "PATCH", json: { twilio: { twimlAppSid: other } } });
    of = await tenantFailing(t, ["twilio.twimlApp"]);
    expect(of("twilio.twimlApp")?.detail).toBe(`TwiML app ${other} not found in this account`);
  });

  it("an assistant number answered elsewhere, with GET, or not in the account", async () => {
    const t = await configuredTenant();
    const set = (voice: Record<string, string>) =>
      twilioFake("/incoming-numbers", postJson({ accountSid: t.accountSid, phoneNumber: t.assistantNumber, ...voice }));
    await set({ voiceUrl: "https://other.example/twiml" });
    let of = await tenantFailing(t, ["twilio.numbers"]);
    expect(of("twilio.numbers")?.detail).toBe(
      `${t.assistantNumber} answers at https://other.example/twiml, not ${TWIML_URL}`,
    );
    expect(of("twilio.numbers")?.fix).toMatch(
      /"A call comes in" → Webhook https:\/\/voicedesk\.test\/twiml \(HTTP POST\)/,
    );
    await set({ voiceUrl: TWIML_URL, voiceMethod: "GET" });
    of = await tenantFailing(t, ["twilio.numbers"]);
    expect(of("twilio.numbers")?.detail).toBe(`${t.assistantNumber} calls ${TWIML_URL} with GET, not POST`);
    await set({ voiceUrl: TWIML_URL });
    const stranger = `+3224${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
    await admin(`/customers/${t.customerId}/phone-numbers`, {
      method: "POST",
      json: { number: stranger, assistantId: t.assistantId },
    });
    of = await tenantFailing(t, ["twilio.numbers"]);
    expect(of("twilio.numbers")?.detail).toBe(`${stranger} is not a number of this account`);
  });

  it("a number routed through a TwiML app whose voice URL is /twiml passes", async () => {
    const t = await configuredTenant();
    const app = `AP${hex(16)}`;
    await twilioFake(
      "/applications",
      postJson({ accountSid: t.accountSid, sid: app, voiceUrl: `${TWIML_URL}?assistant=1` }),
    );
    await twilioFake(
      "/incoming-numbers",
      postJson({ accountSid: t.accountSid, phoneNumber: t.assistantNumber, voiceApplicationSid: app }),
    );
    await tenantFailing(t, []);
  });

  it("OpenAI refuses the key, or the key may not use the tenant's model", async () => {
    const t = await configuredTenant();
    await admin(`/customers/${t.customerId}`, {
      method: "PATCH",
      json: { openai: { realtimeModel: "gpt-realtime-9000" } },
    });
    let of = await tenantFailing(t, ["openai.key"]);
    expect(of("openai.key")?.detail).toBe("the key works but may not use gpt-realtime-9000");
    await openaiFake("/models/refuse", postJson({ apiKey: t.openaiKey }));
    of = await tenantFailing(t, ["openai.key"]);
    expect(of("openai.key")?.detail).toMatch(/answered 401: Incorrect API key provided: sk-test\*\*\*\*/);
    expect(of("openai.key")?.fix).toBe(
      `PATCH /api/admin/customers/${t.customerId} with openai.apiKey (a key of a project that may use the Realtime and Audio APIs)`,
    );
  });

  it("no OpenAI key: fine without assistant numbers, a failure with one", async () => {
    const bare = await provisionTenant({ openai: false });
    const r = await health(`?customerId=${bare.customerId}`);
    expect(line(r.body, `tenant.${bare.customerId}.openai.key`)).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^no OpenAI key/),
    });
    const t = await configuredTenant();
    await admin(`/customers/${t.customerId}`, { method: "PATCH", json: { openai: { apiKey: null } } });
    const of = await tenantFailing(t, ["openai.key"]);
    expect(of("openai.key")?.detail).toBe("no OpenAI key, but an assistant answers one of this tenant's numbers");
  });

  it("an ENCRYPTION_KEY other than the one the secrets were stored with fails every tenant line, not the deployment's", async () => {
    const t = await configuredTenant();
    const otherKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const r = await health(`?customerId=${t.customerId}`, { ENCRYPTION_KEY: otherKey });
    expect(failing(r.body).map((c) => c.name)).toEqual([
      `tenant.${t.customerId}.twilio.credentials`,
      `tenant.${t.customerId}.openai.key`,
    ]);
    for (const c of failing(r.body))
      expect(c.detail).toMatch(/cannot be decrypted .*: ENCRYPTION_KEY is not the key it was stored with$/);
    expect(line(r.body, "secret.ENCRYPTION_KEY")?.ok).toBe(true);
  });
});
