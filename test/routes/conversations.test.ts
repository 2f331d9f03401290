import { describe, expect, it } from "vitest";
import { api, json, provisionTenant, repToken } from "../helpers";
import { seedCall } from "../seed/calls";

interface ConvList {
  conversations: { id: string; channel: string; status: string; state: string }[];
  total: number;
  limit: number;
  offset: number;
}

describe("GET /api/conversations", () => {
  it("lists voice conversations newest first, filtered by status, with limit/offset", async () => {
    const t = await provisionTenant();
    const done = await seedCall(t.customerId, { state: "Completed", createdAt: "2025-05-01T00:00:00.000Z" });
    const live = await seedCall(t.customerId, {
      state: "InProgress",
      createdAt: "2025-05-02T00:00:00.000Z",
      durationSeconds: null,
    });
    const busy = await seedCall(t.customerId, { state: "Busy", createdAt: "2025-05-03T00:00:00.000Z" });
    const noAnswer = await seedCall(t.customerId, { state: "NoAnswer", createdAt: "2025-05-04T00:00:00.000Z" });
    const all = await json<ConvList>(await api("/api/conversations?channel=voice", { token: t.token }));
    expect(all.conversations.map((c) => c.id)).toEqual([noAnswer.id, busy.id, live.id, done.id]);
    expect(all).toMatchObject({ total: 4, limit: 50, offset: 0 });
    expect(all.conversations[2]).toMatchObject({
      id: live.id,
      channel: "voice",
      status: "active",
      state: "InProgress",
      direction: "Inbound",
    });

    const failed = await json<ConvList>(
      await api("/api/conversations?channel=voice&status=failed", { token: t.token }),
    );
    expect(failed.conversations.map((c) => c.id)).toEqual([noAnswer.id, busy.id]);
    expect(
      (await json<ConvList>(await api("/api/conversations?status=completed", { token: t.token }))).conversations.map(
        (c) => c.id,
      ),
    ).toEqual([done.id]);
    expect((await json<ConvList>(await api("/api/conversations?status=active", { token: t.token }))).total).toBe(1);

    const page = await json<ConvList>(await api("/api/conversations?limit=2&offset=1", { token: t.token }));
    expect(page.conversations.map((c) => c.id)).toEqual([busy.id, live.id]);
    const past = await json<ConvList>(await api("/api/conversations?limit=2&offset=4", { token: t.token }));
    expect(past).toEqual({ conversations: [], total: 4, limit: 2, offset: 4 });
  });

  it("refuses bad parameters and a missing token, and shows nothing of other tenants", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    await seedCall(a.customerId);
    for (const [q, field] of [
      ["?channel=sms", "channel"],
      ["?status=done", "status"],
      ["?limit=0", "limit"],
      ["?limit=201", "limit"],
      ["?offset=-1", "offset"],
    ] as const) {
      const res = await api(`/api/conversations${q}`, { token: a.token });
      expect(res.status, q).toBe(400);
      expect((await json<{ issues: { path: string }[] }>(res)).issues.map((i) => i.path)).toContain(field);
    }
    expect((await api("/api/conversations")).status).toBe(401);
    // SPEC.md's call-data table asks for a rep here, no scope.
    expect((await api("/api/conversations", { token: await repToken(a.repId, { scope: "" }) })).status).toBe(200);
    expect((await json<ConvList>(await api("/api/conversations", { token: b.token }))).total).toBe(0);
  });
});

describe("GET /api/conversations/{id}/messages", () => {
  it("returns the transcript as user/assistant messages in spoken order", async () => {
    const t = await provisionTenant();
    const call = await seedCall(t.customerId, {
      transcript: [
        { sender: "EndUser", text: "My order is late.", offsetMs: 5_500 },
        { sender: "AI", text: "Let me check.", offsetMs: 900 },
      ],
    });
    const res = await api(`/api/conversations/${call.id}/messages`, { token: t.token });
    expect(res.status).toBe(200);
    // Seed 003: "Response: Array of messages".
    const body = await json<Record<string, unknown>[]>(res);
    expect(Array.isArray(body)).toBe(true);
    expect(body.map(({ id: _id, ...m }) => m)).toEqual([
      { role: "assistant", senderType: "AI", content: "Let me check.", timestamp: "00:00:00", offsetMs: 900 },
      { role: "user", senderType: "EndUser", content: "My order is late.", timestamp: "00:00:05", offsetMs: 5_500 },
    ]);
    const empty = await json<unknown[]>(
      await api(`/api/conversations/${(await seedCall(t.customerId)).id}/messages`, { token: t.token }),
    );
    expect(empty).toEqual([]);
  });

  it("is a 404 for foreign or unknown conversations, and any rep token of the tenant may read it", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const call = await seedCall(a.customerId);
    const res = await api(`/api/conversations/${call.id}/messages`, { token: b.token });
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: "Conversation not found" });
    expect((await api("/api/conversations/vc_nope/messages", { token: a.token })).status).toBe(404);
    // SPEC.md's call-data table asks for a rep here, no scope.
    expect(
      (
        await api(`/api/conversations/${call.id}/messages`, {
          token: await repToken(a.repId, { scope: "" }),
        })
      ).status,
    ).toBe(200);
  });
});
