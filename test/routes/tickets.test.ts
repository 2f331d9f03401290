import { describe, expect, it } from "vitest";
import { issuePhoneToken } from "../../src/auth/phone-token";
import { env } from "cloudflare:workers";
import { api, json, provisionTenant } from "../helpers";

type Ticket = { id: number; channel: string; status: string; subject: string; phoneNumber: string | null };
type Page = { items: Ticket[]; total: number; page: number; pageSize: number };

async function ticket(token: string, body: Record<string, unknown>) {
  const res = await api("/api/tickets", { method: "POST", token, json: body });
  expect(res.status).toBe(201);
  return json<Ticket>(res);
}

describe("tickets for reps", () => {
  it("creates, lists with filters and pages, and reads a ticket with its messages", async () => {
    const t = await provisionTenant();
    const phone = await ticket(t.token, { channel: "phone", subject: "Call back", phoneNumber: "+32 470 00 00 01" });
    expect(phone).toMatchObject({ channel: "phone", status: "open", phoneNumber: "+32470000001" });
    for (let i = 0; i < 3; i++) await ticket(t.token, { channel: "web", subject: `Web ${i}` });
    await ticket(t.token, { channel: "email", subject: "Mail" });

    const all = await json<Page>(await api("/api/tickets?pageSize=2", { token: t.token }));
    expect(all.total).toBe(5);
    expect(all.items.map((x) => x.subject)).toEqual(["Mail", "Web 2"]);
    const p3 = await json<Page>(await api("/api/tickets?pageSize=2&page=3", { token: t.token }));
    expect(p3.items.map((x) => x.subject)).toEqual(["Call back"]);
    const beyond = await json<Page>(await api("/api/tickets?pageSize=2&page=9", { token: t.token }));
    expect(beyond).toMatchObject({ items: [], total: 5 });
    const web = await json<Page>(await api("/api/tickets?channel=web", { token: t.token }));
    expect(web.total).toBe(3);
    const byNumber = await json<Page>(await api("/api/tickets?phoneNumber=%2B32470000001", { token: t.token }));
    expect(byNumber.items.map((x) => x.id)).toEqual([phone.id]);
    // A raw '+' in a query string decodes to a space (form encoding): it is still the number's '+'.
    for (const q of ["phoneNumber=+32470000001", "phoneNumber=+32+470+00+00+01", "phoneNumber=0032470000001"]) {
      const res = await api(`/api/tickets?${q}`, { token: t.token });
      expect(res.status, q).toBe(200);
      expect(
        (await json<Page>(res)).items.map((x) => x.id),
        q,
      ).toEqual([phone.id]);
    }

    const msg = await api(`/api/tickets/${phone.id}/messages`, {
      method: "POST",
      token: t.token,
      json: { senderType: "CustomerRep", text: "Called, no answer" },
    });
    expect(msg.status).toBe(201);
    const full = await json<Ticket & { messages: { senderType: string; text: string }[] }>(
      await api(`/api/tickets/${phone.id}`, { token: t.token }),
    );
    expect(full.messages).toMatchObject([{ senderType: "CustomerRep", text: "Called, no answer" }]);
  });

  it("rejects bad input with the offending fields", async () => {
    const t = await provisionTenant();
    const cases: [string, Record<string, unknown> | undefined, string][] = [
      ["/api/tickets", { channel: "web", subject: "x", phoneNumber: "abc" }, "phoneNumber"],
      ["/api/tickets", { channel: "sms", subject: "x" }, "channel"],
    ];
    for (const [path, body, field] of cases) {
      const res = await api(path, { method: "POST", token: t.token, json: body });
      expect(res.status).toBe(400);
      expect((await json<{ issues: { path: string }[] }>(res)).issues.map((i) => i.path)).toContain(field);
    }
    // SPEC.md's phoneNumber is optional: a rep may open a phone ticket before the caller's number is known.
    expect(await ticket(t.token, { channel: "phone", subject: "No number yet" })).toMatchObject({
      channel: "phone",
      phoneNumber: null,
    });
    for (const q of ["page=0", "pageSize=500", "status=lost", "channel=fax"]) {
      expect((await api(`/api/tickets?${q}`, { token: t.token })).status).toBe(400);
    }
    const tk = await ticket(t.token, { channel: "web", subject: "x" });
    const bad = await api(`/api/tickets/${tk.id}/messages`, {
      method: "POST",
      token: t.token,
      json: { senderType: "Bot", text: "" },
    });
    expect((await json<{ issues: { path: string }[] }>(bad)).issues.map((i) => i.path).sort()).toEqual([
      "senderType",
      "text",
    ]);
    expect((await api("/api/tickets/abc", { token: t.token })).status).toBe(400);
  });

  it("hides another tenant's tickets behind 404", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const tk = await ticket(a.token, { channel: "web", subject: "Private" });
    expect((await api(`/api/tickets/${tk.id}`, { token: b.token })).status).toBe(404);
    expect(
      (
        await api(`/api/tickets/${tk.id}/messages`, {
          method: "POST",
          token: b.token,
          json: { senderType: "CustomerRep", text: "x" },
        })
      ).status,
    ).toBe(404);
    expect((await json<Page>(await api("/api/tickets", { token: b.token }))).total).toBe(0);
  });
});

describe("tickets for phone-auth tokens", () => {
  it("sees and touches only phone tickets of its own number", async () => {
    const t = await provisionTenant();
    const mine = await ticket(t.token, { channel: "phone", subject: "Mine", phoneNumber: "+32470000010" });
    const other = await ticket(t.token, { channel: "phone", subject: "Other", phoneNumber: "+32470000011" });
    const web = await ticket(t.token, { channel: "web", subject: "Web" });
    // Tickets of other channels that carry the same number are still not the phone user's.
    const webOfNumber = await ticket(t.token, { channel: "web", subject: "Web", phoneNumber: "+32470000010" });
    const emailOfNumber = await ticket(t.token, { channel: "email", subject: "Mail", phoneNumber: "+32470000010" });
    const { token } = await issuePhoneToken(env, t.customerId, "+32470000010");

    const list = await json<Page>(await api("/api/tickets?channel=web", { token }));
    expect(list.items).toEqual([]);
    const own = await json<Page>(await api("/api/tickets", { token }));
    expect(own.items.map((x) => x.id)).toEqual([mine.id]);
    expect((await api(`/api/tickets/${mine.id}`, { token })).status).toBe(200);
    expect((await api(`/api/tickets/${other.id}`, { token })).status).toBe(404);
    expect((await api(`/api/tickets/${web.id}`, { token })).status).toBe(404);
    for (const foreign of [webOfNumber, emailOfNumber]) {
      expect((await api(`/api/tickets/${foreign.id}`, { token })).status).toBe(404);
      const post = await api(`/api/tickets/${foreign.id}/messages`, {
        method: "POST",
        token,
        json: { senderType: "EndUser", text: "Hi" },
      });
      expect(post.status).toBe(404);
    }

    expect(
      (
        await api(`/api/tickets/${mine.id}/messages`, {
          method: "POST",
          token,
          json: { senderType: "EndUser", text: "Hi" },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await api(`/api/tickets/${mine.id}/messages`, {
          method: "POST",
          token,
          json: { senderType: "CustomerRep", text: "x" },
        })
      ).status,
    ).toBe(403);
    const opened = await ticket(token, { channel: "phone", subject: "New" });
    expect(opened.phoneNumber).toBe("+32470000010");
    expect((await api("/api/tickets", { method: "POST", token, json: { channel: "web", subject: "x" } })).status).toBe(
      403,
    );
  });

  it("is refused by rep-only endpoints and cannot cross tenants", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const tk = await ticket(a.token, { channel: "phone", subject: "A", phoneNumber: "+32470000020" });
    const { token } = await issuePhoneToken(env, b.customerId, "+32470000020");
    expect((await api(`/api/tickets/${tk.id}`, { token })).status).toBe(404);
    expect((await api("/api/me", { token })).status).toBe(403);
  });
});
