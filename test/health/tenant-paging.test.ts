import { describe, expect, it } from "vitest";
import { TENANTS_PER_REPORT } from "../../src/health/tenants";
import { admin, hex, json } from "../helpers";
import { health } from "./helpers";

// Its own file: the paging counts every customer of this file's D1.
describe("GET /api/admin/health?tenants=all", () => {
  it("checks at most TENANTS_PER_REPORT tenants per request and names the next page", async () => {
    const ids: number[] = [];
    for (let i = 0; i <= TENANTS_PER_REPORT; i++) {
      const twilio = {
        accountSid: `AC${hex(16)}`,
        authToken: hex(16),
        apiKeySid: `SK${hex(16)}`,
        apiKeySecret: hex(16),
        twimlAppSid: `AP${hex(16)}`,
      };
      ids.push(
        (await json<{ id: number }>(await admin("/customers", { method: "POST", json: { name: `T${i}`, twilio } }))).id,
      );
    }
    const tenantsOf = (checks: { name: string }[]) =>
      [...new Set(checks.flatMap((c) => /^tenant\.(\d+)\./.exec(c.name)?.[1] ?? []))].map(Number);

    const first = await health("?tenants=all");
    // These accounts are unknown to the fake Twilio: each tenant's credentials line fails, which is the point of asking.
    expect(first.status).toBe(503);
    expect(tenantsOf(first.body.checks)).toEqual(ids.slice(0, TENANTS_PER_REPORT));
    expect(first.body.checks.at(-1)).toEqual({
      name: "tenants",
      ok: true,
      detail: `more tenants than ${TENANTS_PER_REPORT}: next page ?tenants=all&offset=${TENANTS_PER_REPORT}`,
    });

    const second = await health(`?tenants=all&offset=${TENANTS_PER_REPORT}`);
    expect(tenantsOf(second.body.checks)).toEqual(ids.slice(TENANTS_PER_REPORT));
    expect(second.body.checks.some((c) => c.name === "tenants")).toBe(false);
  });
});
