import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { requireRep } from "../auth/middleware";
import * as analytics from "../db/call-analytics";
import { createdRange, orderedRange, queryDateOrDateTime } from "../lib/date-range";
import { cachedJson } from "../lib/http-cache";
import { validate } from "../lib/validate";
import { rateLimit } from "../limits/middleware";

const rangeShape = { start_date: queryDateOrDateTime.optional(), end_date: queryDateOrDateTime.optional() };
const rangeQuery = z.object(rangeShape).superRefine(orderedRange("start_date", "end_date"));
const timelineQuery = z
  .object({ ...rangeShape, bucket: z.enum(["day", "hour"]).default("day") })
  .superRefine(orderedRange("start_date", "end_date"));

/** Seed 003 cache lifetimes, in seconds. */
const MAX_AGE = { overview: 60, detailed: 60, timeline: 300 } as const;

export const voiceAnalyticsRoutes = new Hono<AppEnv>()
  // SPEC.md's call-data table asks for a rep here, no scope (unlike the voice-calls rows beside it).
  .use("*", requireRep, rateLimit("analytics"))
  .get("/overview", validate("query", rangeQuery), async (c) => {
    const q = c.req.valid("query");
    const metrics = await analytics.overview(c.env.DB, c.get("rep").customerId, createdRange(q.start_date, q.end_date));
    return cachedJson(c, { metrics }, MAX_AGE.overview);
  })
  .get("/detailed", validate("query", rangeQuery), async (c) => {
    const q = c.req.valid("query");
    const metrics = await analytics.detailed(c.env.DB, c.get("rep").customerId, createdRange(q.start_date, q.end_date));
    return cachedJson(c, { metrics }, MAX_AGE.detailed);
  })
  .get("/timeline", validate("query", timelineQuery), async (c) => {
    const q = c.req.valid("query");
    const timeline = await analytics.timeline(
      c.env.DB,
      c.get("rep").customerId,
      createdRange(q.start_date, q.end_date),
      q.bucket,
    );
    return cachedJson(c, { bucket: q.bucket, timeline }, MAX_AGE.timeline);
  });
