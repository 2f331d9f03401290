import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { requireRep, requireScope } from "../auth/middleware";
import {
  campaignProgress,
  insertContactsStmts,
  listContacts,
  publicContact,
  publicProgress,
  type ContactState,
} from "../db/campaign-contacts";
import { getCampaign, listCampaigns, transitionCampaign, type CampaignStatus } from "../db/campaigns";
import type { Env } from "../env";
import { ApiError, notFound } from "../lib/errors";
import { publicOrigin } from "../lib/public-url";
import { idParam, pagination } from "../lib/schemas";
import { invalid, validate } from "../lib/validate";
import { campaignObject } from "../outbound/campaign-entry";
import { campaignView } from "./campaign-view";
import { readContactUpload } from "./contact-upload";

const uploadQuery = z.object({ skipInvalid: z.enum(["true", "false"]).default("false") });
const contactsQuery = pagination.extend({
  state: z.enum(["pending", "inProgress", "completed", "failed"]).optional(),
});

async function loadCampaign(env: Env, customerId: number, id: number) {
  const c = await getCampaign(env.DB, customerId, id);
  if (!c) throw notFound(`Campaign ${id} not found`);
  return c;
}

/** Start, pause, resume: a status change from the statuses it is allowed from, or 409 naming where it stands. */
const CONTROLS: Record<string, { from: CampaignStatus[]; to: CampaignStatus }> = {
  start: { from: ["draft"], to: "running" },
  pause: { from: ["running"], to: "paused" },
  resume: { from: ["paused", "completed"], to: "running" },
};

/**
 * `/api/v1/campaigns` (docs/campaigns.md): reps run the campaigns the admin API set up — read them with their
 * progress (`voice:read`), give them numbers to call and start, pause or resume them (`campaigns:write`).
 */
export const campaignRoutes = new Hono<AppEnv>()
  .use("*", requireRep)
  .get("/", requireScope("voice:read"), async (c) => {
    const customerId = c.get("rep").customerId;
    const rows = await listCampaigns(c.env.DB, customerId);
    const progress = await Promise.all(rows.map((r) => campaignProgress(c.env.DB, customerId, r.id)));
    return c.json({ items: rows.map((r, i) => campaignView(r, progress[i])) });
  })
  .get("/:id", requireScope("voice:read"), validate("param", idParam), async (c) => {
    const customerId = c.get("rep").customerId;
    const row = await loadCampaign(c.env, customerId, c.req.valid("param").id);
    return c.json(campaignView(row, await campaignProgress(c.env.DB, customerId, row.id)));
  })
  .get(
    "/:id/contacts",
    requireScope("voice:read"),
    validate("param", idParam),
    validate("query", contactsQuery),
    async (c) => {
      const customerId = c.get("rep").customerId;
      const row = await loadCampaign(c.env, customerId, c.req.valid("param").id);
      const q = c.req.valid("query");
      const state: ContactState | undefined = q.state === "inProgress" ? "in_progress" : q.state;
      const { items, total } = await listContacts(
        c.env.DB,
        customerId,
        row.id,
        state,
        q.pageSize,
        (q.page - 1) * q.pageSize,
      );
      return c.json({ items: items.map(publicContact), total, page: q.page, pageSize: q.pageSize });
    },
  )
  .post(
    "/:id/contacts",
    requireScope("campaigns:write"),
    validate("param", idParam),
    validate("query", uploadQuery),
    async (c) => {
      const customerId = c.get("rep").customerId;
      const campaign = await loadCampaign(c.env, customerId, c.req.valid("param").id);
      const upload = await readContactUpload(c.req.raw);
      const skipInvalid = c.req.valid("query").skipInvalid === "true";
      // All or nothing unless asked: a list with bad rows is refused whole, every bad row named.
      if (upload.errors.length && !skipInvalid) throw invalid("contacts", upload.errors);
      const results = await c.env.DB.batch<{ number: string }>(
        insertContactsStmts(c.env.DB, customerId, campaign.id, upload.rows),
      );
      const inserted = new Set(results.flatMap((r) => r.results.map((x) => x.number)));
      const duplicates = [
        ...upload.repeated.map((d) => ({ ...d, reason: "repeated in this upload" })),
        ...upload.rows
          .filter((r) => !inserted.has(r.number))
          .map((r) => ({ row: r.row, number: r.number, reason: "already in the campaign" })),
      ].sort((a, b) => a.row - b.row);
      if (inserted.size && campaign.status === "running")
        await campaignObject(c.env, customerId, campaign.id).kick({ customerId, campaignId: campaign.id });
      return c.json(
        {
          added: inserted.size,
          duplicates,
          errors: upload.errors,
          progress: publicProgress(await campaignProgress(c.env.DB, customerId, campaign.id)),
        },
        inserted.size ? 201 : 200,
      );
    },
  )
  .post("/:id/:action{start|pause|resume}", requireScope("campaigns:write"), validate("param", idParam), async (c) => {
    const customerId = c.get("rep").customerId;
    const campaign = await loadCampaign(c.env, customerId, c.req.valid("param").id);
    const control = CONTROLS[c.req.param("action")]!;
    if (control.to === "running" && (campaign.assistant_id === null || campaign.caller_id === null))
      throw new ApiError(409, "The campaign needs an assistant and a caller ID before it can run", {
        status: campaign.status,
      });
    if (control.to === "running" && (await campaignProgress(c.env.DB, customerId, campaign.id)).pending === 0)
      throw new ApiError(409, "The campaign has no numbers left to call: add contacts first", {
        status: campaign.status,
      });
    const row = await transitionCampaign(c.env.DB, customerId, campaign.id, control.from, control.to);
    if (!row)
      throw new ApiError(
        409,
        `Campaign ${campaign.id} is ${campaign.status}; it can be ${c.req.param("action")}d only when ${control.from.join(" or ")}`,
        {
          status: campaign.status,
        },
      );
    // The object places the calls; a paused campaign's object still settles the calls in progress.
    await campaignObject(c.env, customerId, row.id).kick(
      { customerId, campaignId: row.id },
      publicOrigin(c.env, c.req.raw),
    );
    return c.json(campaignView(row, await campaignProgress(c.env.DB, customerId, row.id)));
  });
