import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import * as campaigns from "../db/campaigns";
import { loadCustomer } from "../db/customers";
import { notFound } from "../lib/errors";
import { idParam } from "../lib/schemas";
import { validate } from "../lib/validate";
import { childParam } from "./admin-params";

const surveyBody = z.object({
  questions: z
    .array(z.object({ text: z.string().min(1).max(500), scaleMax: z.number().int().min(1).max(10).optional() }))
    .min(1)
    .max(20),
});
const campaignBody = z.object({ name: z.string().min(1).max(200), survey: surveyBody.optional() });
const campaignPatch = z.object({
  name: z.string().min(1).max(200).optional(),
  survey: surveyBody.nullable().optional(),
});

/** `/api/admin/customers/{id}/campaigns`: a tenant's campaigns and their post-call surveys. */
export const adminCampaignRoutes = new Hono<AppEnv>()
  .post("/", validate("param", idParam), validate("json", campaignBody), async (c) => {
    const { id } = c.req.valid("param");
    const b = c.req.valid("json");
    await loadCustomer(c.env.DB, id);
    return c.json(
      campaigns.publicCampaign(await campaigns.insertCampaign(c.env.DB, id, b.name, b.survey ?? null)),
      201,
    );
  })
  .get("/", validate("param", idParam), async (c) => {
    const { id } = c.req.valid("param");
    await loadCustomer(c.env.DB, id);
    return c.json({ items: (await campaigns.listCampaigns(c.env.DB, id)).map(campaigns.publicCampaign) });
  })
  .patch("/:childId", validate("param", childParam), validate("json", campaignPatch), async (c) => {
    const { id, childId } = c.req.valid("param");
    const row = await campaigns.updateCampaign(c.env.DB, id, childId, c.req.valid("json"));
    if (!row) throw notFound(`Campaign ${childId} not found`);
    return c.json(campaigns.publicCampaign(row));
  });
