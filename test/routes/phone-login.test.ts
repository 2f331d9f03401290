import { describe, expect, it } from "vitest";
import { IP_BUDGET } from "../../src/routes/auth";
import { admin, api, json, provisionTenant, twilioFake } from "../helpers";

async function sentCode(to: string): Promise<string> {
  const msgs = (await (await twilioFake(`/messages?To=${encodeURIComponent(to)}`)).json()) as { body: string }[];
  // The code comes first: the tenant's name, later in the text, can itself hold six digits.
  const m = /^(\d{6}) is your .* verification code\b/.exec(msgs.at(-1)?.body ?? "");
  if (!m) throw new Error(`no code sent to ${to}`);
  return m[1]!;
}

let ips = 0;
/** A client address no other request of this file uses (the per-address counters live in this file's storage). */
const freshIp = () => `198.51.${(++ips >> 8) & 255}.${ips & 255}`;
/** Each start comes from its own address unless `ip` names one (the per-address limit has tests of its own). */
const start = (customerId: number, phoneNumber: string, ip = freshIp()) =>
  api("/api/Auth/phone-login/start", {
    method: "POST",
    json: { customerId, phoneNumber },
    headers: { "CF-Connecting-IP": ip },
  });
const sentTo = async (to: string) =>
  ((await (await twilioFake(`/messages?To=${encodeURIComponent(to)}`)).json()) as unknown[]).length;
const verify = (customerId: number, phoneNumber: string, code: string) =>
  api("/api/Auth/phone-login", { method: "POST", json: { customerId, phoneNumber, code } });

describe("phone login", () => {
  it("sends a code by SMS through the tenant's Twilio account and trades it for a phone token", async () => {
    const t = await provisionTenant();
    const phone = "+32470100001";
    const res = await start(t.customerId, "+32 470 10 00 01");
    expect(res.status).toBe(202);
    const msgs = (await (await twilioFake(`/messages?To=${encodeURIComponent(phone)}`)).json()) as {
      from: string;
      account_sid: string;
    }[];
    expect(msgs.at(-1)).toMatchObject({ from: t.repNumber, account_sid: t.accountSid });
    const ok = await verify(t.customerId, phone, await sentCode(phone));
    expect(ok.status).toBe(200);
    const { token, expiresAt } = await json<{ token: string; expiresAt: string }>(ok);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const [, payload] = token.split(".");
    expect(JSON.parse(atob(payload!.replace(/-/g, "+").replace(/_/g, "/")))).toMatchObject({
      customerId: t.customerId,
      phoneNumber: phone,
      channel: "phone",
    });
    expect((await api("/api/tickets", { token })).status).toBe(200);
  });

  it("uses a code once only", async () => {
    const t = await provisionTenant();
    const phone = "+32470100002";
    await start(t.customerId, phone);
    const code = await sentCode(phone);
    expect((await verify(t.customerId, phone, code)).status).toBe(200);
    expect((await verify(t.customerId, phone, code)).status).toBe(401);
  });

  it("allows 5 attempts, then refuses even the right code", async () => {
    const t = await provisionTenant();
    const phone = "+32470100003";
    await start(t.customerId, phone);
    const code = await sentCode(phone);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) expect((await verify(t.customerId, phone, wrong)).status).toBe(401);
    expect((await verify(t.customerId, phone, code)).status).toBe(429);
  });

  it("does not accept a code for another number or tenant", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const phone = "+32470100004";
    await start(a.customerId, phone);
    const code = await sentCode(phone);
    expect((await verify(a.customerId, "+32470100005", code)).status).toBe(401);
    expect((await verify(b.customerId, phone, code)).status).toBe(401);
  });

  it("rate limits codes per number", async () => {
    const t = await provisionTenant();
    const phone = "+32470100006";
    for (let i = 0; i < 3; i++) expect((await start(t.customerId, phone)).status).toBe(202);
    const limited = await start(t.customerId, phone);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("900");
    expect((await start(t.customerId, "+32470100007")).status).toBe(202);
  });

  it("puts the code first in the SMS, so a tenant name with digits cannot be taken for it", async () => {
    const t = await provisionTenant();
    const name = "Acme 246810 Support";
    expect((await admin(`/customers/${t.customerId}`, { method: "PATCH", json: { name } })).status).toBe(200);
    const phone = "+32470100010";
    expect((await start(t.customerId, phone)).status).toBe(202);
    const msgs = (await (await twilioFake(`/messages?To=${encodeURIComponent(phone)}`)).json()) as { body: string }[];
    const body = msgs.at(-1)!.body;
    expect(body).toMatch(new RegExp(`^\\d{6} is your ${name} verification code\\. It expires in 5 minutes\\.$`));
    // What a reader (or a fake) takes as the code, the first run of six digits, is the code.
    const firstRun = /\d{6}/.exec(body)![0];
    expect((await verify(t.customerId, phone, firstRun)).status).toBe(200);
  });

  it("validates input and maps Twilio failures", async () => {
    const t = await provisionTenant();
    const bad = await api("/api/Auth/phone-login/start", {
      method: "POST",
      json: { customerId: "x", phoneNumber: "123" },
    });
    expect((await json<{ issues: { path: string }[] }>(bad)).issues.map((i) => i.path).sort()).toEqual([
      "customerId",
      "phoneNumber",
    ]);
    expect((await verify(t.customerId, "+32470100008", "12ab56")).status).toBe(400);
    await twilioFake("/fail", {
      method: "POST",
      body: JSON.stringify({
        pathPattern: `${t.accountSid}/Messages`,
        status: 500,
        code: 20500,
        message: "Account AC-secret-detail is under fraud review",
      }),
    });
    const failed = await start(t.customerId, "+32470100009");
    expect(failed.status).toBe(502);
    // An anonymous caller gets the status, not Twilio's words about the tenant's account (those are logged).
    expect(await json(failed)).toEqual({ error: "Twilio could not complete the request" });
    expect(failed.headers.get("X-Request-Id")).toBeTruthy();
    // A failed send leaves no usable code behind, and gives its slot back.
    expect((await verify(t.customerId, "+32470100009", "123456")).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await start(t.customerId, "+32470100009")).status).toBe(202);
  });
});

describe("phone login abuse limits", () => {
  it("20 parallel starts for one number send at most 3 SMS", async () => {
    const t = await provisionTenant();
    const phone = "+32470200001";
    const answers = await Promise.all(Array.from({ length: 20 }, () => start(t.customerId, phone)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(17);
    expect(await sentTo(phone)).toBe(3);
  });

  it("limits starts per client address (an IPv6 /64 counts as one), whatever the tenant or number", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const ip = freshIp();
    for (let i = 0; i < IP_BUDGET.limit; i++) {
      const res = await start(i % 2 ? a.customerId : b.customerId, `+3247030000${i}`, ip);
      expect(res.status).toBe(202);
    }
    const over = await start(a.customerId, "+32470300099", ip);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await sentTo("+32470300099")).toBe(0);
    expect((await start(a.customerId, "+32470300099")).status).toBe(202);

    const net = "2001:db8:77:1";
    for (let i = 0; i < IP_BUDGET.limit; i++) {
      expect((await start(a.customerId, `+3247031000${i}`, `${net}::${i + 1}`)).status).toBe(202);
    }
    expect((await start(a.customerId, "+32470310099", `${net}:0:ffff:1:2`)).status).toBe(429);
  });

  it("counts the per-address budget only for a real address: none, or a loopback one, is not counted", async () => {
    // Local runs and tests reach the Worker from 127.0.0.1, without CF-Connecting-IP or with a loopback one; one
    // shared budget would refuse them all after 30 starts. The per-number and per-tenant limits still hold.
    const t = await provisionTenant();
    const noAddress = (phone: string) =>
      api("/api/Auth/phone-login/start", { method: "POST", json: { customerId: t.customerId, phoneNumber: phone } });
    for (let i = 0; i <= IP_BUDGET.limit; i++) {
      expect((await noAddress(`+324703200${String(i).padStart(2, "0")}`)).status).toBe(202);
    }
    for (let i = 0; i <= IP_BUDGET.limit; i++) {
      const loopback = ["127.0.0.1", "::1"][i % 2]!;
      expect((await start(t.customerId, `+324703210${String(i).padStart(2, "0")}`, loopback)).status).toBe(202);
    }
    const phone = "+32470322000";
    for (let i = 0; i < 3; i++) expect((await noAddress(phone)).status).toBe(202);
    expect((await noAddress(phone)).status).toBe(429);
  });

  it("spends the per-address budget only on starts that could send a code, not on refusals", async () => {
    const t = await provisionTenant(); // its number is Belgian
    const ip = freshIp();
    for (let i = 0; i < IP_BUDGET.limit; i++) {
      // An unknown customer (202, nothing sent) and a country the tenant does not serve (403): no SMS either way.
      expect((await start(99_999_999, `+3247033000${i}`, ip)).status).toBe(202);
      expect((await start(t.customerId, `+3161233000${i}`, ip)).status).toBe(403);
    }
    expect((await start(t.customerId, "+32470330099", ip)).status).toBe(202);
    expect(await sentTo("+32470330099")).toBe(1);
  });

  it("limits codes per tenant and hour, atomically under parallel starts", async () => {
    const t = await provisionTenant();
    const patched = await admin(`/customers/${t.customerId}`, {
      method: "PATCH",
      json: { phoneLogin: { maxCodesPerHour: 2 } },
    });
    expect((await json<{ phoneLogin: unknown }>(patched)).phoneLogin).toEqual({
      allowedCountries: null,
      maxCodesPerHour: 2,
    });
    const numbers = Array.from({ length: 8 }, (_, i) => `+3247040000${i}`);
    const answers = await Promise.all(numbers.map((n) => start(t.customerId, n)));
    expect(answers.filter((r) => r.status === 202)).toHaveLength(2);
    const refused = answers.find((r) => r.status === 429)!;
    expect(await json(refused)).toEqual({ error: "Too many codes requested; try again later" });
    expect(refused.headers.get("Retry-After")).toBe("3600");
    let sent = 0;
    for (const n of numbers) sent += await sentTo(n);
    expect(sent).toBe(2);
  });

  it("sends only to the tenant's countries: by default those of its own numbers", async () => {
    const t = await provisionTenant(); // its number is Belgian
    const dutch = "+31612345678";
    const refused = await start(t.customerId, dutch);
    expect(refused.status).toBe(403);
    expect(await json(refused)).toMatchObject({ issues: [{ path: "phoneNumber" }] });
    expect(await sentTo(dutch)).toBe(0);
    const patched = await admin(`/customers/${t.customerId}`, {
      method: "PATCH",
      json: { phoneLogin: { allowedCountries: ["nl"] } },
    });
    expect((await json<{ phoneLogin: unknown }>(patched)).phoneLogin).toEqual({
      allowedCountries: ["NL"],
      maxCodesPerHour: 100,
    });
    expect((await start(t.customerId, dutch)).status).toBe(202);
    expect(await sentTo(dutch)).toBe(1);
    expect((await start(t.customerId, "+32470500001")).status).toBe(403);
    const bad = await admin(`/customers/${t.customerId}`, {
      method: "PATCH",
      json: { phoneLogin: { allowedCountries: ["Belgium"] } },
    });
    expect(bad.status).toBe(400);
  });

  it("judges a number no country's plan assigns (+1 555 …) by its calling code", async () => {
    const t = await provisionTenant(); // its number is Belgian
    const fiction = "+15551234567";
    expect((await start(t.customerId, fiction)).status).toBe(403);
    await admin(`/customers/${t.customerId}`, { method: "PATCH", json: { phoneLogin: { allowedCountries: ["US"] } } });
    expect((await start(t.customerId, fiction)).status).toBe(202);
    expect(await sentTo(fiction)).toBe(1);

    // A tenant whose own number is itself unassigned may send to its calling code, and nowhere else new.
    const u = await provisionTenant();
    const own = await admin(`/customers/${u.customerId}/phone-numbers`, {
      method: "POST",
      json: { number: "+15551230000" },
    });
    expect(own.status).toBe(201);
    expect((await start(u.customerId, "+16505551234")).status).toBe(202);
    expect((await start(u.customerId, "+15551234568")).status).toBe(202);
    expect((await start(u.customerId, "+31612345678")).status).toBe(403);
  });

  it("answers an unknown customer exactly like a known one, and sends nothing", async () => {
    const t = await provisionTenant();
    const known = await start(t.customerId, "+32470600001");
    const unknown = await start(99_999_999, "+32470600002");
    expect(unknown.status).toBe(known.status);
    expect(Object.keys(await json(unknown))).toEqual(Object.keys(await json(known)));
    expect(await sentTo("+32470600002")).toBe(0);
  });
});
