import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Auth } from "../../src/auth/context";
import { canAccessTicket } from "../../src/auth/ticket-access";
import { getRepById } from "../../src/db/reps";
import { insertTicket } from "../../src/db/tickets";
import { provisionTenant } from "../helpers";

// The policy on its own: the routes also load tickets through a tenant-scoped query (getTicket), which would hide
// a missing tenant check here from every route test.
describe("canAccessTicket", () => {
  it("lets a rep of the ticket's tenant in, and a phone user only into phone tickets of their number", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const number = "+32470000031";
    const open = (channel: "phone" | "web" | "email") =>
      insertTicket(env.DB, { customerId: a.customerId, channel, subject: channel, phoneNumber: number, repId: null });
    const [phone, web, email] = [await open("phone"), await open("web"), await open("email")];
    const repOf = async (t: typeof a): Promise<Auth> => ({
      kind: "rep",
      customerId: t.customerId,
      rep: (await getRepById(env.DB, t.repId))!,
      scopes: new Set(),
    });
    const phoneUser = (customerId: number, phoneNumber: string): Auth => ({ kind: "phone", customerId, phoneNumber });

    for (const t of [phone, web, email]) expect(canAccessTicket(await repOf(a), t)).toBe(true);
    for (const t of [phone, web, email]) expect(canAccessTicket(await repOf(b), t)).toBe(false);
    expect(canAccessTicket(phoneUser(a.customerId, number), phone)).toBe(true);
    expect(canAccessTicket(phoneUser(a.customerId, number), web)).toBe(false);
    expect(canAccessTicket(phoneUser(a.customerId, number), email)).toBe(false);
    expect(canAccessTicket(phoneUser(a.customerId, "+32470000032"), phone)).toBe(false);
    expect(canAccessTicket(phoneUser(b.customerId, number), phone)).toBe(false);
  });
});
