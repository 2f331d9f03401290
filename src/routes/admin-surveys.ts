import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { DEFAULT_SCALE_MAX, getCampaign, parseSurvey } from "../db/campaigns";
import { COMPLETION_REASONS, listSurveyResponses, publicEpaResults, recordSurveyAnswers } from "../db/surveys";
import { ApiError } from "../lib/errors";
import { invalid, validate } from "../lib/validate";
import { callIdString, loadCall } from "./call-params";
import { intId } from "../lib/schemas";

const param = z.object({ id: intId, callId: callIdString });
const body = z.object({
  responses: z
    .array(
      z.object({
        questionIndex: z.number().int().min(0),
        score: z.number().int().min(0),
        answer: z.string().trim().min(1).max(500).optional(),
      }),
    )
    .max(20),
  completionReason: z.enum(COMPLETION_REASONS).exclude(["AllAnswered"]).optional(),
});

/**
 * Records post-call survey (EPA) answers for one call of a tenant: the provisioning/ingest path for surveys
 * collected outside the live call (IVR platforms, imports). Answers merge with those already stored.
 */
export const adminSurveyRoutes = new Hono<AppEnv>().post(
  "/",
  validate("param", param),
  validate("json", body),
  async (c) => {
    const { id, callId } = c.req.valid("param");
    const b = c.req.valid("json");
    const call = await loadCall(c.env, id, callId);
    const campaign = call.campaign_id === null ? null : await getCampaign(c.env.DB, id, call.campaign_id);
    const config = campaign ? parseSurvey(campaign) : null;
    if (!config) throw new ApiError(409, "This call's campaign has no post-call survey configured");
    const issues: { path: string; message: string }[] = [];
    const seen = new Set<number>();
    const answers = b.responses.flatMap((r, i) => {
      const q = config.questions[r.questionIndex];
      if (!q)
        return (
          issues.push({
            path: `responses.${i}.questionIndex`,
            message: `the survey has ${config.questions.length} questions (0-based)`,
          }),
          []
        );
      if (seen.has(r.questionIndex))
        return (issues.push({ path: `responses.${i}.questionIndex`, message: "answered twice in one request" }), []);
      seen.add(r.questionIndex);
      const scaleMax = q.scaleMax ?? DEFAULT_SCALE_MAX;
      if (r.score < 1 || r.score > scaleMax)
        return (issues.push({ path: `responses.${i}.score`, message: `must be 1 to ${scaleMax}` }), []);
      return [
        {
          questionIndex: r.questionIndex,
          question: q.text,
          answer: r.answer ?? String(r.score),
          score: r.score,
          scaleMax,
        },
      ];
    });
    if (issues.length) throw invalid("json", issues);
    const survey = await recordSurveyAnswers(c.env.DB, {
      customerId: id,
      callId: call.id,
      campaignId: call.campaign_id,
      totalQuestions: config.questions.length,
      answers,
      reason: b.completionReason ?? "HangUp",
    });
    return c.json(publicEpaResults(survey, await listSurveyResponses(c.env.DB, survey.id)));
  },
);
