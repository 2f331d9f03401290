import { describe, expect, it } from "vitest";
import { api, json, provisionTenant, repToken } from "../helpers";
import { seedCall, seedCampaign } from "../seed/calls";

interface CallJson {
  id: string;
  campaignId: number | null;
  direction: string;
  state: string;
  createdAt: string;
  durationSeconds: number | null;
}
interface ListJson {
  items: CallJson[];
  total: number;
  page: number;
  pageSize: number;
}

const list = async (token: string, query = "") => {
  const res = await api(`/api/v1/voice-calls${query}`, { token });
  expect(res.status).toBe(200);
  return json<ListJson>(res);
};

describe("GET /api/v1/voice-calls", () => {
  it("lists the tenant's calls newest first with the seed's fields and the total", async () => {
    const t = await provisionTenant();
    const camp = await seedCampaign(t.customerId);
    const older = await seedCall(t.customerId, {
      createdAt: "2025-01-10T10:00:00.000Z",
      direction: "Outbound",
      campaignId: camp.id,
      outcome: "Successful",
      durationSeconds: 312,
    });
    const newer = await seedCall(t.customerId, { createdAt: "2025-01-11T10:00:00.000Z" });
    const body = await list(t.token);
    expect(body.total).toBe(2);
    expect(body.items.map((c) => c.id)).toEqual([newer.id, older.id]);
    expect(body.items[1]).toEqual({
      id: older.id,
      campaignId: camp.id,
      direction: "Outbound",
      carrier: "twilio",
      state: "Completed",
      startTime: "2025-01-10T10:00:00.000Z",
      endTime: "2025-01-10T10:05:12.000Z",
      durationSeconds: 312,
      talkTimeSeconds: 309,
      outcome: "Successful",
      createdAt: "2025-01-10T10:00:00.000Z",
    });
    expect(older.id).toMatch(/^vc_[0-9a-f]{24}$/);
    expect(body).toMatchObject({ page: 1, pageSize: 50 });
  });

  it("breaks ties on createdAt by id, descending, stably across pages", async () => {
    const t = await provisionTenant();
    const at = "2025-02-01T00:00:00.000Z";
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await seedCall(t.customerId, { createdAt: at })).id);
    const expected = [...ids].sort().reverse();
    const pages = [];
    for (let p = 1; p <= 3; p++) pages.push(...(await list(t.token, `?pageSize=2&page=${p}`)).items.map((c) => c.id));
    expect(pages).toEqual(expected);
  });

  it("filters by campaign, state, direction and created date range, combined", async () => {
    const t = await provisionTenant();
    const a = await seedCampaign(t.customerId);
    const b = await seedCampaign(t.customerId);
    const hit = await seedCall(t.customerId, {
      campaignId: a.id,
      state: "Completed",
      direction: "Outbound",
      createdAt: "2025-03-05T12:00:00.000Z",
    });
    await seedCall(t.customerId, {
      campaignId: b.id,
      state: "Completed",
      direction: "Outbound",
      createdAt: "2025-03-05T12:00:00.000Z",
    });
    await seedCall(t.customerId, {
      campaignId: a.id,
      state: "Busy",
      direction: "Outbound",
      createdAt: "2025-03-05T12:00:00.000Z",
    });
    await seedCall(t.customerId, {
      campaignId: a.id,
      state: "Completed",
      direction: "Inbound",
      createdAt: "2025-03-05T12:00:00.000Z",
    });
    await seedCall(t.customerId, {
      campaignId: a.id,
      state: "Completed",
      direction: "Outbound",
      createdAt: "2025-03-07T00:00:00.000Z",
    });

    const only = await list(
      t.token,
      `?campaignId=${a.id}&state=Completed&direction=Outbound&dateFrom=2025-03-05&dateTo=2025-03-06`,
    );
    expect(only.items.map((c) => c.id)).toEqual([hit.id]);
    expect(only.total).toBe(1);
    expect((await list(t.token, `?campaignId=${a.id}`)).total).toBe(4);
    expect((await list(t.token, "?state=Busy")).total).toBe(1);
    expect((await list(t.token, "?direction=Inbound")).total).toBe(1);
    // a date-only dateTo covers its whole day; a date-time bound is inclusive to the millisecond
    expect((await list(t.token, "?dateFrom=2025-03-06&dateTo=2025-03-07")).total).toBe(1);
    expect((await list(t.token, "?dateTo=2025-03-05T12:00:00Z")).total).toBe(4);
    expect((await list(t.token, "?dateTo=2025-03-05T11:59:59.999Z")).total).toBe(0);
    expect((await list(t.token, "?dateFrom=2025-03-05T13:00:00%2B01:00")).total).toBe(5);
    // A raw '+' decodes to a space (form encoding): the offset's '+' is put back, not refused or misread.
    expect((await list(t.token, "?dateFrom=2025-03-05T13:00:00+01:00")).total).toBe(5);
    expect((await list(t.token, "?dateTo=2025-03-05T13:00:00+01:00")).total).toBe(4);
    expect((await list(t.token, "?dateFrom=2025-03-05T12:00:00.001Z")).total).toBe(1);
  });

  it("pages: empty past the end, a short last page, total unchanged", async () => {
    const t = await provisionTenant();
    for (let i = 0; i < 3; i++) await seedCall(t.customerId, { createdAt: `2025-04-0${i + 1}T00:00:00.000Z` });
    expect((await list(t.token, "?pageSize=2&page=2")).items).toHaveLength(1);
    const past = await list(t.token, "?pageSize=2&page=3");
    expect(past).toEqual({ items: [], total: 3, page: 3, pageSize: 2 });
    expect((await list(t.token, "?pageSize=200")).items).toHaveLength(3);
  });

  it("names every bad parameter with 400", async () => {
    const t = await provisionTenant();
    for (const [q, path] of [
      ["?dateFrom=yesterday", "dateFrom"],
      ["?dateTo=2025-02-30", "dateTo"],
      ["?dateFrom=2025-01-01T10:00", "dateFrom"],
      ["?dateFrom=2025-02-01&dateTo=2025-01-01", "dateTo"],
      ["?state=Happy", "state"],
      ["?direction=outbound", "direction"],
      ["?page=0", "page"],
      ["?pageSize=201", "pageSize"],
      ["?pageSize=abc", "pageSize"],
      ["?campaignId=camp_1", "campaignId"],
    ] as const) {
      const res = await api(`/api/v1/voice-calls${q}`, { token: t.token });
      expect(res.status, q).toBe(400);
      const body = await json<{ error: string; issues: { path: string }[] }>(res);
      expect(
        body.issues.map((i) => i.path),
        q,
      ).toContain(path);
    }
  });

  it("needs a rep token with voice:read", async () => {
    const t = await provisionTenant();
    const noAuth = await api("/api/v1/voice-calls");
    expect(noAuth.status).toBe(401);
    expect(await json(noAuth)).toEqual({ error: "Missing bearer token" });
    const res = await api("/api/v1/voice-calls", { token: await repToken(t.repId, { scope: "audio:download" }) });
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual({ error: "Missing scope: voice:read" });
  });

  it("never shows another tenant's calls", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    await seedCall(a.customerId);
    expect(await list(b.token)).toMatchObject({ items: [], total: 0 });
  });
});
