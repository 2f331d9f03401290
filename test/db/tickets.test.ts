import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getTicket, insertTicket } from "../../src/db/tickets";
import { provisionTenant } from "../helpers";

// The query itself must be tenant-scoped: callers (src/auth/ticket-access.ts) check again, which would hide a
// missing filter from every route test.
describe("getTicket", () => {
  it("finds a ticket only within its own tenant", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const fields = { channel: "web", subject: "Invoice", phoneNumber: null, repId: null } as const;
    const tk = await insertTicket(env.DB, { ...fields, customerId: a.customerId });
    expect(await getTicket(env.DB, a.customerId, tk.id)).toMatchObject({ id: tk.id, customer_id: a.customerId });
    expect(await getTicket(env.DB, b.customerId, tk.id)).toBeNull();
    expect(await getTicket(env.DB, a.customerId, tk.id + 1_000_000)).toBeNull();
  });
});
