import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import * as assistants from "../db/assistants";
import { loadCustomer } from "../db/customers";
import { notFound } from "../lib/errors";
import { idParam } from "../lib/schemas";
import { validate } from "../lib/validate";
import { childParam } from "./admin-params";

const assistantBody = z.object({
  name: z.string().min(1).max(200),
  instructions: z.string().min(1).max(20_000),
  voice: z.string().min(1).max(40).optional(),
  welcomeMessage: z.string().max(2000).optional(),
  language: z.string().min(2).max(35).optional(),
});

/** `/api/admin/customers/{id}/assistants`: the AI assistants that answer a tenant's numbers. */
export const adminAssistantRoutes = new Hono<AppEnv>()
  .post("/", validate("param", idParam), validate("json", assistantBody), async (c) => {
    const { id } = c.req.valid("param");
    const b = c.req.valid("json");
    await loadCustomer(c.env.DB, id);
    const row = await assistants.insertAssistant(c.env.DB, id, {
      name: b.name,
      instructions: b.instructions,
      voice: b.voice ?? null,
      welcome_message: b.welcomeMessage ?? null,
      language: b.language ?? null,
    });
    return c.json(assistants.publicAssistant(row), 201);
  })
  .get("/", validate("param", idParam), async (c) => {
    const { id } = c.req.valid("param");
    await loadCustomer(c.env.DB, id);
    return c.json({ items: (await assistants.listAssistants(c.env.DB, id)).map(assistants.publicAssistant) });
  })
  .patch("/:childId", validate("param", childParam), validate("json", assistantBody.partial()), async (c) => {
    const { id, childId } = c.req.valid("param");
    const b = c.req.valid("json");
    const row = await assistants.updateAssistant(c.env.DB, id, childId, {
      name: b.name,
      instructions: b.instructions,
      voice: b.voice,
      welcome_message: b.welcomeMessage,
      language: b.language,
    });
    if (!row) throw notFound(`Assistant ${childId} not found`);
    return c.json(assistants.publicAssistant(row));
  });
