import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getRecording } from "../../src/db/recordings";
import { provisionTenant } from "../helpers";
import { seedCall, seedRecording, wavBytes } from "../seed/calls";

// Every caller passes an ID it got within the tenant, so only a direct test of the query notices a lost filter.
describe("getRecording", () => {
  it("finds a recording only within its own tenant", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const rec = await seedRecording(a.customerId, await seedCall(a.customerId), wavBytes(10));
    expect(await getRecording(env.DB, a.customerId, rec.id)).toMatchObject({ id: rec.id, customer_id: a.customerId });
    expect(await getRecording(env.DB, b.customerId, rec.id)).toBeNull();
  });
});
