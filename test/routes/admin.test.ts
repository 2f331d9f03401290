import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accountCodecs } from "../../src/carriers/accounts";
import { admin, hex, json, provisionTenant } from "../helpers";

const twilio = () => ({
  accountSid: `AC${hex(16)}`,
  authToken: hex(16),
  apiKeySid: `SK${hex(16)}`,
  apiKeySecret: hex(16),
  twimlAppSid: `AP${hex(16)}`,
  region: "ie1",
  edge: "dublin",
});

describe("admin: customers", () => {
  it("creates a customer and never returns a secret", async () => {
    const tw = twilio();
    const res = await admin("/customers", {
      method: "POST",
      json: {
        name: "Acme",
        twilio: tw,
        openai: { apiKey: "sk-live-secret", realtimeModel: "gpt-realtime" },
        phoneStreamUrl: "wss://acme.example/streams",
      },
    });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain(tw.authToken);
    expect(text).not.toContain(tw.apiKeySecret);
    expect(text).not.toContain("sk-live-secret");
    const c = JSON.parse(text) as {
      id: number;
      name: string;
      twilio: Record<string, unknown>;
      openai: Record<string, unknown>;
      phoneStreamUrl: string;
    };
    expect(c).toMatchObject({ name: "Acme", phoneStreamUrl: "wss://acme.example/streams" });
    expect(c.twilio).toMatchObject({
      accountSid: tw.accountSid,
      apiKeySid: tw.apiKeySid,
      twimlAppSid: tw.twimlAppSid,
      region: "ie1",
      edge: "dublin",
    });
    expect(c.openai).toMatchObject({ hasApiKey: true, realtimeModel: "gpt-realtime", transcriptionActive: true });
    // Exactly these fields: an encrypted secret (`*_enc`, secrets_json) added to the view would show up here.
    expect(Object.keys(c).sort()).toEqual(
      [
        ...accountCodecs.map((codec) => codec.carrier), // each carrier's public view (or null)
        "aiFallback",
        "createdAt",
        "id",
        "inboundToRep",
        "name",
        "openai",
        "phoneLogin",
        "phoneStreamUrl",
        "retentionDays",
        "timeZone",
        "updatedAt",
      ].sort(),
    );
    expect(Object.keys(c.openai).sort()).toEqual([
      "hasApiKey",
      "realtimeModel",
      "transcriptionActive",
      "transcriptionModel",
    ]);
    expect(Object.keys(c.twilio).sort()).toEqual([
      "accountSid",
      "apiKeySid",
      "edge",
      "extraTwimlAppSids",
      "hasApiKeySecret",
      "hasAuthToken",
      "region",
      "twimlAppSid",
    ]);
    const stored = await env.DB.prepare(
      `SELECT c.openai_api_key_enc AS openai, a.secrets_json AS secrets
       FROM customers c JOIN carrier_accounts a ON a.customer_id = c.id WHERE c.id = ?1`,
    )
      .bind(c.id)
      .first<{ openai: string; secrets: string }>();
    const ciphertexts = [stored!.openai, ...Object.values(JSON.parse(stored!.secrets) as Record<string, string>)];
    expect(ciphertexts).toHaveLength(3);
    for (const enc of ciphertexts) expect(text).not.toContain(enc);

    const got = await json(await admin(`/customers/${c.id}`));
    expect(got).toEqual(c);
    const list = await json<{ items: { id: number }[] }>(await admin("/customers?limit=200"));
    expect(list.items.some((x) => x.id === c.id)).toBe(true);
    // Newest first: the customer just made heads the first page, however many other tests made before it.
    const first = await json<{ items: { id: number }[] }>(await admin("/customers?limit=1"));
    expect(first.items.map((x) => x.id)).toEqual([c.id]);
  });

  it("updates part of a customer and can remove the OpenAI key", async () => {
    const res = await admin("/customers", {
      method: "POST",
      json: { name: "Beta", twilio: twilio(), openai: { apiKey: "sk-1" } },
    });
    const { id } = await json<{ id: number }>(res);
    const patched = await admin(`/customers/${id}`, {
      method: "PATCH",
      json: { name: "Beta 2", openai: { apiKey: null, transcriptionActive: false } },
    });
    expect(patched.status).toBe(200);
    expect(await json(patched)).toMatchObject({
      name: "Beta 2",
      openai: { hasApiKey: false, transcriptionActive: false },
    });
    expect((await admin("/customers/999999", { method: "PATCH", json: { name: "x" } })).status).toBe(404);
  });

  it("names each invalid field", async () => {
    const res = await admin("/customers", {
      method: "POST",
      json: {
        name: "",
        twilio: { ...twilio(), accountSid: "AC-nope", twimlAppSid: "XX" },
        phoneStreamUrl: "ftp://media.example/streams",
      },
    });
    expect(res.status).toBe(400);
    const body = await json<{ issues: { path: string }[] }>(res);
    expect(body.issues.map((i) => i.path).sort()).toEqual([
      "name",
      "phoneStreamUrl",
      "twilio.accountSid",
      "twilio.twimlAppSid",
    ]);
  });

  it("takes a phoneStreamUrl of ws, wss, http or https (a local setup streams to ws://127.0.0.1:8787/…)", async () => {
    const res = await admin("/customers", {
      method: "POST",
      json: { name: "Local", twilio: twilio(), phoneStreamUrl: "ws://127.0.0.1:8787/streams" },
    });
    expect(res.status).toBe(201);
    const { id } = await json<{ id: number }>(res);
    expect(await json(await admin(`/customers/${id}`))).toMatchObject({
      phoneStreamUrl: "ws://127.0.0.1:8787/streams",
    });
    for (const phoneStreamUrl of [
      "wss://media.example/streams",
      "http://127.0.0.1:8787/streams",
      "https://media.example",
    ]) {
      const patched = await admin(`/customers/${id}`, { method: "PATCH", json: { phoneStreamUrl } });
      expect(patched.status, phoneStreamUrl).toBe(200);
      expect(await json(patched)).toMatchObject({ phoneStreamUrl });
    }
    for (const phoneStreamUrl of ["ftp://media.example/streams", "javascript:alert(1)", "not a url"]) {
      const refused = await admin(`/customers/${id}`, { method: "PATCH", json: { phoneStreamUrl } });
      expect(refused.status, phoneStreamUrl).toBe(400);
    }
  });

  it("takes SIDs as Twilio's docs and test values write them (any letters and digits after the prefix)", async () => {
    const docsStyle = `AC${"X".repeat(32)}`;
    const res = await admin("/customers", {
      method: "POST",
      json: { name: "Docs", twilio: { ...twilio(), accountSid: docsStyle, twimlAppSid: "AP1234567890ABCDE" } },
    });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ twilio: { accountSid: docsStyle, twimlAppSid: "AP1234567890ABCDE" } });
  });

  it("lets a second customer use the same Twilio account (test/carriers/twilio/shared-account.test.ts)", async () => {
    const tw = twilio();
    expect((await admin("/customers", { method: "POST", json: { name: "One", twilio: tw } })).status).toBe(201);
    const two = await admin("/customers", { method: "POST", json: { name: "Two", twilio: tw } });
    expect(two.status).toBe(201);
    expect(await json(two)).toMatchObject({ twilio: { accountSid: tw.accountSid } });
  });

  it("answers 404 for an unknown customer", async () => {
    expect((await admin("/customers/424242")).status).toBe(404);
    expect((await admin("/customers/424242/reps", { method: "POST", json: { name: "x" } })).status).toBe(404);
  });
});

describe("admin: reps, numbers, assistants, campaigns", () => {
  it("creates a rep with numbers, updates and lists it", async () => {
    const t = await provisionTenant();
    const res = await admin(`/customers/${t.customerId}/reps`, {
      method: "POST",
      json: { name: "Ann", email: "ann@example.com", identity: "ann_1", phoneNumbers: ["+32 470 11 22 33"] },
    });
    expect(res.status).toBe(201);
    const rep = await json<{ id: number; identity: string; phoneNumbers: string[]; active: boolean }>(res);
    expect(rep).toMatchObject({ identity: "ann_1", phoneNumbers: ["+32470112233"], active: true });
    const patched = await json(
      await admin(`/customers/${t.customerId}/reps/${rep.id}`, {
        method: "PATCH",
        json: { active: false, email: null },
      }),
    );
    expect(patched).toMatchObject({ active: false, email: null });
    const list = await json<{ items: { id: number }[] }>(await admin(`/customers/${t.customerId}/reps`));
    expect(list.items.map((r) => r.id)).toContain(rep.id);
    expect(
      (await admin(`/customers/${t.customerId}/reps`, { method: "POST", json: { name: "Dup", identity: "ann_1" } }))
        .status,
    ).toBe(409);
    const bad = await admin(`/customers/${t.customerId}/reps`, {
      method: "POST",
      json: { name: "Bad", identity: "has space", phoneNumbers: ["12"] },
    });
    expect(bad.status).toBe(400);
    expect((await json<{ issues: { path: string }[] }>(bad)).issues.map((i) => i.path).sort()).toEqual([
      "identity",
      "phoneNumbers.0",
    ]);
  });

  it("keeps a tenant's reps invisible to another tenant", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    expect((await admin(`/customers/${b.customerId}/reps/${a.repId}`)).status).toBe(404);
    expect(
      (await admin(`/customers/${b.customerId}/reps/${a.repId}`, { method: "PATCH", json: { name: "x" } })).status,
    ).toBe(404);
    expect(
      (
        await admin(`/customers/${b.customerId}/phone-numbers`, {
          method: "POST",
          json: { number: "+32470999999", repId: a.repId },
        })
      ).status,
    ).toBe(404);
  });

  it("assigns numbers to reps and assistants", async () => {
    const t = await provisionTenant();
    const asst = await admin(`/customers/${t.customerId}/assistants`, {
      method: "POST",
      json: { name: "Front desk", instructions: "Be kind.", voice: "marin", welcomeMessage: "Hello!", language: "en" },
    });
    expect(asst.status).toBe(201);
    const a = await json<{ id: number }>(asst);
    const num = await admin(`/customers/${t.customerId}/phone-numbers`, {
      method: "POST",
      json: { number: "0032 2 555 00 01", assistantId: a.id },
    });
    expect(num.status).toBe(201);
    expect(await json(num)).toMatchObject({ number: "+3225550001", assistantId: a.id, repId: null });
    const list = await json<{ items: { number: string }[] }>(await admin(`/customers/${t.customerId}/phone-numbers`));
    expect(list.items.map((n) => n.number).sort()).toEqual(["+3225550001", t.repNumber].sort());
    const renamed = await admin(`/customers/${t.customerId}/assistants/${a.id}`, {
      method: "PATCH",
      json: { name: "Desk" },
    });
    expect(await json(renamed)).toMatchObject({ name: "Desk", instructions: "Be kind.", voice: "marin" });
    expect((await admin(`/customers/${t.customerId}/assistants`, { method: "POST", json: { name: "x" } })).status).toBe(
      400,
    );
  });

  it("creates campaigns with an optional survey", async () => {
    const t = await provisionTenant();
    const res = await admin(`/customers/${t.customerId}/campaigns`, {
      method: "POST",
      json: { name: "Renewals", survey: { questions: [{ text: "How satisfied are you?", scaleMax: 5 }] } },
    });
    expect(res.status).toBe(201);
    const c = await json<{ id: number }>(res);
    expect(await json(await admin(`/customers/${t.customerId}/campaigns`))).toMatchObject({
      items: [{ id: c.id, name: "Renewals" }],
    });
    const cleared = await admin(`/customers/${t.customerId}/campaigns/${c.id}`, {
      method: "PATCH",
      json: { survey: null },
    });
    expect(await json(cleared)).toMatchObject({ survey: null });
    expect(
      (
        await admin(`/customers/${t.customerId}/campaigns`, {
          method: "POST",
          json: { name: "x", survey: { questions: [] } },
        })
      ).status,
    ).toBe(400);
  });
});
