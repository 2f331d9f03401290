import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { healthReport } from "../health/report";
import type { TenantScope } from "../health/tenants";
import { validate } from "../lib/validate";
import { intId } from "../lib/schemas";

const query = z
  .object({
    customerId: intId.optional(),
    tenants: z.literal("all", { error: 'only "all"' }).optional(),
    offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
  })
  .refine((q) => !(q.customerId !== undefined && q.tenants), { message: "give customerId or tenants=all, not both" })
  .refine((q) => q.offset === undefined || q.tenants, { message: "offset pages tenants=all", path: ["offset"] });

/**
 * `GET /api/admin/health` (docs/deploy.md, "Health"): one line per check, 200 when all pass, 503 when any fails.
 * The public `/health` stays a shallow liveness answer.
 */
export const adminHealthRoutes = new Hono<AppEnv>().get("/", validate("query", query), async (c) => {
  const q = c.req.valid("query");
  const scope: TenantScope | null =
    q.customerId !== undefined ? { customerId: q.customerId } : q.tenants ? { all: true, offset: q.offset ?? 0 } : null;
  const report = await healthReport(c.env, new URL(c.req.url).origin, scope);
  c.header("Cache-Control", "no-store");
  return c.json(report, report.ok ? 200 : 503);
});
