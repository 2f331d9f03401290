import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import * as campaigns from "../db/campaigns";
import { loadCustomer } from "../db/customers";
import { notFound } from "../lib/errors";
import { idParam } from "../lib/schemas";
import { validate } from "../lib/validate";
import { childParam } from "./admin-params";
import { campaignDialingBody, campaignView, dialingColumns } from "./campaign-view";

const surveyBody = z.object({
  questions: z
    .array(z.object({ text: z.string().min(1).max(500), scaleMax: z.number().int().min(1).max(10).optional() }))
    .min(1)
    .max(20),
});
const campaignBody = campaignDialingBody.extend({ name: z.string().min(1).max(200), survey: surveyBody.optional() });
const campaignPatch = campaignDialingBody.extend({
  name: z.string().min(1).max(200).optional(),
  survey: surveyBody.nullable().optional(),
});

/**
 * `/api/admin/customers/{id}/campaigns`: a tenant's campaigns, their post-call surveys and what they dial with
 * (docs/campaigns.md); reps run them through `/api/v1/campaigns`.
 */
export const adminCampaignRoutes = new Hono<AppEnv>()
  .post("/", validate("param", idParam), validate("json", campaignBody), async (c) => {
    const { id } = c.req.valid("param");
    const { name, survey, ...dialing } = c.req.valid("json");
    await loadCustomer(c.env.DB, id);
    const cols = await dialingColumns(c.env.DB, id, dialing, null);
    return c.json(campaignView(await campaigns.insertCampaign(c.env.DB, id, name, survey ?? null, cols)), 201);
  })
  .get("/", validate("param", idParam), async (c) => {
    const { id } = c.req.valid("param");
    await loadCustomer(c.env.DB, id);
    return c.json({ items: (await campaigns.listCampaigns(c.env.DB, id)).map((r) => campaignView(r)) });
  })
  .patch("/:childId", validate("param", childParam), validate("json", campaignPatch), async (c) => {
    const { id, childId } = c.req.valid("param");
    const { name, survey, ...dialing } = c.req.valid("json");
    const stored = await campaigns.getCampaign(c.env.DB, id, childId);
    if (!stored) throw notFound(`Campaign ${childId} not found`);
    const cols = await dialingColumns(c.env.DB, id, dialing, stored);
    const row = await campaigns.updateCampaign(c.env.DB, id, childId, { name, survey, ...cols });
    if (!row) throw notFound(`Campaign ${childId} not found`);
    return c.json(campaignView(row));
  });
