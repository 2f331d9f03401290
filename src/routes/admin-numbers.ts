import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { getAssistant } from "../db/assistants";
import { loadCustomer } from "../db/customers";
import * as numbers from "../db/phone-numbers";
import { getRep } from "../db/reps";
import { notFound } from "../lib/errors";
import { idParam, intId, phoneNumber } from "../lib/schemas";
import { validate } from "../lib/validate";

const numberBody = z.object({ number: phoneNumber, repId: intId.optional(), assistantId: intId.optional() });

/** `/api/admin/customers/{id}/phone-numbers`: the numbers a tenant owns, each optionally a rep's line or an assistant's. */
export const adminNumberRoutes = new Hono<AppEnv>()
  .post("/", validate("param", idParam), validate("json", numberBody), async (c) => {
    const { id } = c.req.valid("param");
    const b = c.req.valid("json");
    await loadCustomer(c.env.DB, id);
    if (b.repId !== undefined && !(await getRep(c.env.DB, id, b.repId))) throw notFound(`Rep ${b.repId} not found`);
    if (b.assistantId !== undefined && !(await getAssistant(c.env.DB, id, b.assistantId)))
      throw notFound(`Assistant ${b.assistantId} not found`);
    const row = await numbers.upsertPhoneNumber(c.env.DB, {
      customerId: id,
      number: b.number,
      repId: b.repId ?? null,
      assistantId: b.assistantId ?? null,
    });
    return c.json(numbers.publicPhoneNumber(row), 201);
  })
  .get("/", validate("param", idParam), async (c) => {
    const { id } = c.req.valid("param");
    await loadCustomer(c.env.DB, id);
    return c.json({ items: (await numbers.listPhoneNumbers(c.env.DB, id)).map(numbers.publicPhoneNumber) });
  });
