import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { requireRep, requireScope } from "../auth/middleware";
import { CALL_STATES } from "../db/calls";
import { getCampaign, parseSurvey } from "../db/campaigns";
import { latestRecordingOfCall } from "../db/recordings";
import { getSurveyOfCall, listSurveyResponses, publicEpaResults } from "../db/surveys";
import { listSegments } from "../db/transcripts";
import { listCalls, publicTranscriptLine, publicVoiceCall } from "../db/voice-calls";
import { deleteCall, deleteRecordingsOfCall } from "../lifecycle/deletion";
import type { Env } from "../env";
import { createdRange, queryDateOrDateTime, orderedRange } from "../lib/date-range";
import { notFound } from "../lib/errors";
import { publicOrigin } from "../lib/public-url";
import { signRecordingUrl } from "../recordings/signed-url";
import { validate } from "../lib/validate";
import { rateLimit } from "../limits/middleware";
import { callIdParam, loadCall } from "./call-params";
import { outboundCallBody, outboundFields, placeOutboundCall } from "./outbound-call";
import { intId, pagination } from "../lib/schemas";

const listQuery = pagination
  .extend({
    campaignId: intId.optional(),
    state: z.enum(CALL_STATES).optional(),
    direction: z.enum(["Inbound", "Outbound"]).optional(),
    dateFrom: queryDateOrDateTime.optional(),
    dateTo: queryDateOrDateTime.optional(),
  })
  .superRefine(orderedRange("dateFrom", "dateTo"));

/** The survey of a call: stored answers, or a truthful NotStarted when its campaign has a survey nobody began. */
async function epaResults(env: Env, customerId: number, callId: string, campaignId: number | null) {
  const survey = await getSurveyOfCall(env.DB, customerId, callId);
  if (survey) return publicEpaResults(survey, await listSurveyResponses(env.DB, survey.id));
  const campaign = campaignId === null ? null : await getCampaign(env.DB, customerId, campaignId);
  const config = campaign ? parseSurvey(campaign) : null;
  if (!config) return null;
  return {
    state: "NotStarted",
    completionReason: null,
    totalQuestions: config.questions.length,
    questionsAnswered: 0,
    calculatedScore: null,
    responses: [],
  };
}

export const voiceCallRoutes = new Hono<AppEnv>()
  .use("*", requireRep)
  // An outbound AI call (docs/campaigns.md).
  .post("/", requireScope("calls:write"), validate("json", outboundCallBody), async (c) =>
    c.json(await placeOutboundCall(c.env, c.get("rep"), c.req.valid("json"), publicOrigin(c.env, c.req.raw)), 201),
  )
  .get("/", requireScope("voice:read"), validate("query", listQuery), async (c) => {
    const q = c.req.valid("query");
    const { items, total } = await listCalls(
      c.env.DB,
      c.get("rep").customerId,
      { campaignId: q.campaignId, state: q.state, direction: q.direction, ...createdRange(q.dateFrom, q.dateTo) },
      q.pageSize,
      (q.page - 1) * q.pageSize,
    );
    return c.json({ items: items.map(publicVoiceCall), total, page: q.page, pageSize: q.pageSize });
  })
  .get("/:id", requireScope("voice:read"), validate("param", callIdParam), async (c) => {
    const customerId = c.get("rep").customerId;
    const call = await loadCall(c.env, customerId, c.req.valid("param").id);
    const [segments, epa] = await Promise.all([
      listSegments(c.env.DB, customerId, call.id),
      epaResults(c.env, customerId, call.id, call.campaign_id),
    ]);
    return c.json({
      ...publicVoiceCall(call),
      ...outboundFields(call),
      sentiment: call.sentiment,
      transcript: segments.map(publicTranscriptLine),
      ...(epa ? { epaResults: epa } : {}),
    });
  })
  .get(
    "/:id/recording-url",
    requireScope("audio:download"),
    rateLimit("recordings"),
    validate("param", callIdParam),
    async (c) => {
      const customerId = c.get("rep").customerId;
      const call = await loadCall(c.env, customerId, c.req.valid("param").id);
      const rec = await latestRecordingOfCall(c.env.DB, customerId, call.id);
      if (!rec) throw notFound("This call has no recording");
      const signed = await signRecordingUrl(c.env, publicOrigin(c.env, c.req.raw), rec.id);
      return c.json({ recordingUrl: signed.url, expiresAt: signed.expiresAt });
    },
  )
  .get("/:id/epa-results", requireScope("voice:read"), validate("param", callIdParam), async (c) => {
    const customerId = c.get("rep").customerId;
    const call = await loadCall(c.env, customerId, c.req.valid("param").id);
    const epa = await epaResults(c.env, customerId, call.id, call.campaign_id);
    if (!epa) throw notFound("No post-call survey is configured for this call's campaign");
    return c.json(epa);
  })
  // Deleting a call removes every copy: its recordings (every version, the carrier's copy too), transcript,
  // survey, tool calls and live object (docs/data-lifecycle.md).
  .delete("/:id", requireScope("voice:delete"), validate("param", callIdParam), async (c) => {
    const call = await loadCall(c.env, c.get("rep").customerId, c.req.valid("param").id);
    await deleteCall(c.env, call);
    return c.body(null, 204);
  })
  .delete("/:id/recording", requireScope("voice:delete"), validate("param", callIdParam), async (c) => {
    const customerId = c.get("rep").customerId;
    const call = await loadCall(c.env, customerId, c.req.valid("param").id);
    await deleteRecordingsOfCall(c.env, customerId, call.id);
    return c.body(null, 204);
  });
