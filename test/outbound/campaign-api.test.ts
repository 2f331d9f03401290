import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, api, json, repToken } from "../helpers";
import {
  controlCampaign,
  createCampaign,
  outboundTenant,
  uploadContacts,
  type OutboundTenant,
} from "./outbound-helpers";

interface Upload {
  added: number;
  duplicates: { row: number; number: string; reason: string }[];
  errors: { row: number; path: string; message: string }[];
  progress: { pending: number; inProgress: number; completed: number; failed: number; total: number };
}

const contactNumbers = async (t: OutboundTenant, campaignId: number) =>
  (
    await json<{ items: { number: string; metadata: unknown }[] }>(
      await api(`/api/v1/campaigns/${campaignId}/contacts`, { token: t.caller }),
    )
  ).items;

describe("campaign set-up through the admin API (docs/campaigns.md)", () => {
  it("creates a campaign with its dialing settings, defaults filled in, and updates parts of them", async () => {
    const t = await outboundTenant();
    const camp = await createCampaign(t, { pace: { callsPerMinute: 6 }, retry: { maxAttempts: 2, on: ["busy"] } });
    expect(camp).toMatchObject({
      name: "Renewals",
      assistantId: t.assistantId,
      callerId: t.assistantNumber,
      status: "draft",
      lastError: null,
      callingHours: { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], start: "00:00", end: "24:00" },
      pace: { callsPerMinute: 6, maxConcurrent: 5 },
      retry: { maxAttempts: 2, delayMinutes: 60, on: ["busy"] },
      voicemail: { action: "hangup" },
      survey: null,
    });
    const patched = await json(
      await admin(`/customers/${t.customerId}/campaigns/${camp.id}`, {
        method: "PATCH",
        json: {
          callingHours: { days: ["mon"], start: "09:30", end: "12:00" },
          voicemail: { action: "message", message: "Call us." },
        },
      }),
    );
    expect(patched).toMatchObject({
      callingHours: { days: ["mon"], start: "09:30", end: "12:00" },
      pace: { callsPerMinute: 6, maxConcurrent: 5 },
      retry: { maxAttempts: 2, on: ["busy"] },
      voicemail: { action: "message", message: "Call us." },
    });
  });

  it("refuses settings that cannot work and references that are not the tenant's", async () => {
    const t = await outboundTenant();
    const other = await outboundTenant();
    const post = (body: Record<string, unknown>) =>
      admin(`/customers/${t.customerId}/campaigns`, { method: "POST", json: { name: "X", ...body } });
    for (const [body, path] of [
      [{ callingHours: { start: "18:00", end: "09:00" } }, "callingHours.end"],
      [{ callingHours: { start: "9am" } }, "callingHours.start"],
      [{ callingHours: { days: ["someday"] } }, "callingHours.days.0"],
      [{ pace: { callsPerMinute: 0 } }, "pace.callsPerMinute"],
      [{ pace: { maxConcurrent: 500 } }, "pace.maxConcurrent"],
      [{ retry: { on: ["rain"] } }, "retry.on.0"],
      [{ voicemail: { action: "message" } }, "voicemail.message"],
      [{ callerId: "nope" }, "callerId"],
    ] as const) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json<{ issues: { path: string }[] }>(res)).issues.map((i) => i.path)).toContain(path);
    }
    expect((await post({ assistantId: other.assistantId })).status).toBe(404);
    expect((await post({ callerId: other.assistantNumber })).status).toBe(404);
  });
});

describe("contact lists (POST /api/v1/campaigns/{id}/contacts)", () => {
  it("takes CSV: normalizes, deduplicates within the upload and against the campaign, keeps other columns", async () => {
    const t = await outboundTenant();
    const camp = await createCampaign(t);
    const csv = [
      "Name,Phone Number,Plan",
      'Ann,+32 470 11 22 01,"Gold, yearly"',
      "Bob,0032470112202,",
      "Ann again,+32-470-11-22-01,Gold",
      "",
    ].join("\r\n");
    const res = await uploadContacts(t, camp.id, csv, "text/csv");
    expect(res.status).toBe(201);
    const body = await json<Upload>(res);
    expect(body).toMatchObject({
      added: 2,
      duplicates: [{ row: 3, number: "+32470112201", reason: "repeated in this upload" }],
      errors: [],
      progress: { pending: 2, inProgress: 0, completed: 0, failed: 0, total: 2 },
    });
    expect(await contactNumbers(t, camp.id)).toEqual([
      expect.objectContaining({ number: "+32470112201", metadata: { Name: "Ann", Plan: "Gold, yearly" } }),
      expect.objectContaining({ number: "+32470112202", metadata: { Name: "Bob" } }),
    ]);
    const again = await uploadContacts(t, camp.id, "number\n+32470112202\n+32470112203\n", "text/csv");
    expect(again.status).toBe(201);
    expect(await json(again)).toMatchObject({
      added: 1,
      duplicates: [{ row: 1, number: "+32470112202", reason: "already in the campaign" }],
    });
  });

  it("takes JSON: an array of numbers or of {number, metadata}, or {contacts: [...]}", async () => {
    const t = await outboundTenant();
    const camp = await createCampaign(t);
    const a = await uploadContacts(
      t,
      camp.id,
      JSON.stringify([{ number: "+32470220001", metadata: { name: "Cy" } }, "+32470220002"]),
      "application/json",
    );
    expect(await json(a)).toMatchObject({ added: 2 });
    const b = await uploadContacts(t, camp.id, JSON.stringify({ contacts: ["+32470220002"] }), "application/json");
    expect(b.status).toBe(200);
    expect(await json(b)).toMatchObject({ added: 0, duplicates: [{ reason: "already in the campaign" }] });
  });

  it("refuses a list with bad rows whole, naming each; with skipInvalid adds the good rows and reports the rest", async () => {
    const t = await outboundTenant();
    const camp = await createCampaign(t);
    const csv = "number,name\n+32470330001,Ann\nnot a number,Bob\n+32470330003,Cy,extra\n+32470330004,Di\n";
    const strict = await uploadContacts(t, camp.id, csv, "text/csv");
    expect(strict.status).toBe(400);
    const err = await json<{ error: string; issues: { path: string; message: string }[] }>(strict);
    expect(err.issues).toEqual([
      {
        path: "rows.2.number",
        message: 'line 3: not a phone number in international form: "not a number"',
        row: 2,
        line: 3,
      },
      { path: "rows.3.(row)", message: "line 4: expected 2 fields, found 3", row: 3, line: 4 },
    ]);
    expect(await contactNumbers(t, camp.id)).toEqual([]);

    const lenient = await uploadContacts(t, camp.id, csv, "text/csv", "?skipInvalid=true");
    expect(lenient.status).toBe(201);
    const body = await json<Upload>(lenient);
    expect(body.added).toBe(2);
    expect(body.errors.map((e) => e.path)).toEqual(["rows.2.number", "rows.3.(row)"]);

    const json400 = await uploadContacts(t, camp.id, JSON.stringify([{ number: 5 }, { nope: 1 }]), "application/json");
    expect(json400.status).toBe(400);
    expect((await json<{ issues: { path: string }[] }>(json400)).issues.map((i) => i.path)).toEqual([
      "rows.1.number",
      "rows.2.number",
    ]);
  });

  it("refuses what is not a contact list: malformed CSV, no number column, other content types, too much", async () => {
    const t = await outboundTenant();
    const camp = await createCampaign(t);
    const cases: [string, string, number, RegExp][] = [
      ['number\n"+32470440001\n', "text/csv", 400, /line 2: a quoted field is never closed/],
      ["phone_nr,name\n+32470440001,Ann\n", "text/csv", 400, /must name its columns/],
      ["+32470440001", "text/plain", 415, /text\/csv or application\/json/],
      ["{", "application/json", 400, /Malformed JSON/],
      ['{"numbers": []}', "application/json", 400, /array of contacts/],
      [`number\n${"+32470440001\n".repeat(10_001)}`, "text/csv", 413, /At most 10000 contacts/],
    ];
    for (const [body, type, status, message] of cases) {
      const res = await uploadContacts(t, camp.id, body, type);
      expect(res.status, `${type} ${body.slice(0, 30)}`).toBe(status);
      expect((await json<{ error: string }>(res)).error).toMatch(message);
    }
  });

  it("is the tenant's: another tenant's campaign is a 404, and the scopes are checked", async () => {
    const t = await outboundTenant();
    const other = await outboundTenant();
    const camp = await createCampaign(other);
    expect((await uploadContacts(t, camp.id, "number\n+32470550001\n", "text/csv")).status).toBe(404);
    expect((await api(`/api/v1/campaigns/${camp.id}`, { token: t.caller })).status).toBe(404);
    expect((await controlCampaign(t, camp.id, "start")).status).toBe(404);
    const readOnly = await repToken(t.repId, { scope: "voice:read" });
    const mine = await createCampaign(t);
    const res = await api(`/api/v1/campaigns/${mine.id}/start`, { method: "POST", token: readOnly });
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual({ error: "Missing scope: campaigns:write" });
    expect((await api(`/api/v1/campaigns/${mine.id}`, { token: readOnly })).status).toBe(200);
  });
});

describe("start, pause, resume", () => {
  it("moves draft → running ⇄ paused, refuses the rest with 409, and needs an assistant and a caller ID", async () => {
    const t = await outboundTenant();
    const bare = await json<{ id: number }>(
      await admin(`/customers/${t.customerId}/campaigns`, { method: "POST", json: { name: "Bare" } }),
    );
    const refused = await controlCampaign(t, bare.id, "start");
    expect(refused.status).toBe(409);
    expect((await json<{ error: string }>(refused)).error).toMatch(/needs an assistant and a caller ID/);

    // Calling hours that are never now: the object places nothing while the test moves the campaign around.
    const h = new Date().getUTCHours();
    const start = (h + 2) % 24;
    const camp = await createCampaign(t, {
      callingHours: { start: `${String(start).padStart(2, "0")}:00`, end: `${String(start + 1).padStart(2, "0")}:00` },
    });
    const empty = await controlCampaign(t, camp.id, "start");
    expect(empty.status).toBe(409);
    expect((await json<{ error: string }>(empty)).error).toMatch(/no numbers left to call/);
    expect((await uploadContacts(t, camp.id, "number\n+32470660001\n", "text/csv")).status).toBe(201);
    expect((await controlCampaign(t, camp.id, "resume")).status).toBe(409);
    const started = await controlCampaign(t, camp.id, "start");
    expect(started.status).toBe(200);
    expect(await json(started)).toMatchObject({ status: "running", progress: { pending: 1, total: 1 } });
    expect((await controlCampaign(t, camp.id, "start")).status).toBe(409);
    expect(await json(await controlCampaign(t, camp.id, "pause"))).toMatchObject({ status: "paused" });
    const again = await controlCampaign(t, camp.id, "pause");
    expect(again.status).toBe(409);
    expect(await json(again)).toMatchObject({ status: "paused" });
    expect(await json(await controlCampaign(t, camp.id, "resume"))).toMatchObject({ status: "running" });
    const row = await env.DB.prepare("SELECT status FROM campaigns WHERE id = ?1")
      .bind(camp.id)
      .first<{ status: string }>();
    expect(row?.status).toBe("running");
  });
});
