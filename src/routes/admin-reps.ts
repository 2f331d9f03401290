import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { loadCustomer } from "../db/customers";
import * as numbers from "../db/phone-numbers";
import * as reps from "../db/reps";
import { isUniqueViolation } from "../db/unique";
import { ApiError, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { idParam, phoneNumber } from "../lib/schemas";
import { validate } from "../lib/validate";
import { childParam, listQuery } from "./admin-params";

const identity = z
  .string()
  .regex(/^[A-Za-z0-9_]{1,121}$/, "letters, digits and underscores, at most 121 (Twilio client identity)");
const repBody = z.object({
  name: z.string().min(1).max(200),
  email: z.email().optional(),
  identity: identity.optional(),
  phoneNumbers: z.array(phoneNumber).max(100).optional(),
  active: z.boolean().optional(),
});
const repPatch = repBody.partial().extend({ email: z.email().nullable().optional() });

async function repView(db: D1Database, r: reps.RepRow) {
  return reps.publicRep(r, await numbers.numbersOfRep(db, r.customer_id, r.id));
}

async function assignNumbers(db: D1Database, customerId: number, repId: number, list: string[] | undefined) {
  for (const n of list ?? []) await numbers.upsertPhoneNumber(db, { customerId, number: n, repId, assistantId: null });
}

/** `/api/admin/customers/{id}/reps`: the tenant's reps and the numbers each may call from. */
export const adminRepRoutes = new Hono<AppEnv>()
  .post("/", validate("param", idParam), validate("json", repBody), async (c) => {
    const { id } = c.req.valid("param");
    const b = c.req.valid("json");
    await loadCustomer(c.env.DB, id);
    const rep = await reps
      .insertRep(c.env.DB, {
        customerId: id,
        name: b.name,
        email: b.email ?? null,
        identity: b.identity ?? newId("rep", 8),
        active: b.active ?? true,
      })
      .catch((e: unknown) => {
        if (isUniqueViolation(e)) throw new ApiError(409, "Another rep of this customer has that identity");
        throw e;
      });
    await assignNumbers(c.env.DB, id, rep.id, b.phoneNumbers);
    return c.json(await repView(c.env.DB, rep), 201);
  })
  .get("/", validate("param", idParam), validate("query", listQuery), async (c) => {
    const { id } = c.req.valid("param");
    const { limit, offset } = c.req.valid("query");
    await loadCustomer(c.env.DB, id);
    const rows = await reps.listReps(c.env.DB, id, limit, offset);
    return c.json({ items: await Promise.all(rows.map((r) => repView(c.env.DB, r))), limit, offset });
  })
  .get("/:childId", validate("param", childParam), async (c) => {
    const { id, childId } = c.req.valid("param");
    const rep = await reps.getRep(c.env.DB, id, childId);
    if (!rep) throw notFound(`Rep ${childId} not found`);
    return c.json(await repView(c.env.DB, rep));
  })
  .patch("/:childId", validate("param", childParam), validate("json", repPatch), async (c) => {
    const { id, childId } = c.req.valid("param");
    const b = c.req.valid("json");
    const rep = await reps.updateRep(c.env.DB, id, childId, b);
    if (!rep) throw notFound(`Rep ${childId} not found`);
    await assignNumbers(c.env.DB, id, rep.id, b.phoneNumbers);
    return c.json(await repView(c.env.DB, rep));
  });
