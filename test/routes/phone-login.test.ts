import { describe, expect, it } from "vitest";
import { api, json, provisionTenant, twilioFake } from "../helpers";

async function sentCode(to: string): Promise<string> {
  const msgs = (await (await twilioFake(`/messages?To=${encodeURIComponent(to)}`)).json()) as { body: string }[];
  // Anchored on the wording: the tenant's name can itself hold six digits.
  const m = /verification code is (\d{6})\b/.exec(msgs.at(-1)?.body ?? "");
  if (!m) throw new Error(`no code sent to ${to}`);
  return m[1]!;
}

const start = (customerId: number, phoneNumber: string) =>
  api("/api/Auth/phone-login/start", { method: "POST", json: { customerId, phoneNumber } });
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
    expect((await start(99999999, "+32470100008")).status).toBe(404);
    await twilioFake("/fail", {
      method: "POST",
      body: JSON.stringify({
        pathPattern: `${t.accountSid}/Messages`,
        status: 500,
        code: 20500,
        message: "Internal Server Error",
      }),
    });
    const failed = await start(t.customerId, "+32470100009");
    expect(failed.status).toBe(502);
    // A failed send leaves no usable code behind.
    expect((await verify(t.customerId, "+32470100009", "123456")).status).toBe(401);
  });
});
