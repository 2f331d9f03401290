import { getCall } from "../db/calls";
import { DEFAULT_SCALE_MAX, getCampaign, parseSurvey } from "../db/campaigns";
import { recordSurveyAnswers } from "../db/surveys";
import { insertToolCallStmt } from "../db/tool-calls";
import type { AssistantCallDeps } from "./assistant-tools";
import { hangUpCaller, transferCaller } from "./carrier-actions";
import { callHttpTool } from "./http-tool";
import type { LiveCall } from "./live-call";
import type { SurveyQuestion } from "./survey-run";

/** How long the survey waits for an answer once a question has played (LiveOptions.surveyAnswerTimeoutMs). */
const SURVEY_ANSWER_TIMEOUT_MS = 20_000;

/**
 * What an assistant call's tools do to the call (src/live/assistant-tools.ts): carrier actions, the campaign's
 * survey read and stored, HTTP tools called, and every tool call recorded in `tool_calls` (the analytics
 * tool-call success rate). D1 writes go through the call's SideWrites, so the call's end waits for them.
 */
export function assistantActions(call: LiveCall): AssistantCallDeps {
  const { env, plan, writes } = call;
  let campaignId: number | null = null;
  let total = 0;
  /** Survey saves one after another, each tracked at once (so the call's end waits for all of them). */
  let surveySaves: Promise<unknown> = Promise.resolve();
  return {
    hangUp: (reason) => hangUpCaller(call, reason),
    transfer: (to, announce) => transferCaller(call, to, announce),
    async loadSurvey(): Promise<SurveyQuestion[] | null> {
      const row = plan.callId ? await getCall(env.DB, plan.customerId, plan.callId) : null;
      const campaign = row?.campaign_id ? await getCampaign(env.DB, plan.customerId, row.campaign_id) : null;
      const questions = campaign ? parseSurvey(campaign)?.questions : undefined;
      if (!campaign || !questions?.length) return null;
      campaignId = campaign.id;
      total = questions.length;
      return questions.map((q) => ({ text: q.text, scaleMax: q.scaleMax ?? DEFAULT_SCALE_MAX }));
    },
    async saveSurvey(answers, reason) {
      const callId = plan.callId;
      if (!callId) return;
      const survey = { customerId: plan.customerId, callId, campaignId, totalQuestions: total, answers, reason };
      surveySaves = surveySaves.catch(() => undefined).then(() => recordSurveyAnswers(env.DB, survey));
      await writes.add("survey answers", surveySaves);
    },
    callHttpTool: (tool, args) => callHttpTool(env, call.toolFetch, plan.customerId, tool, args),
    recordToolCall(r) {
      if (!plan.callId) return;
      const row = { callId: plan.callId, customerId: plan.customerId, ...r };
      void writes.add("tool call record", insertToolCallStmt(env.DB, row).run());
    },
    surveyAnswerTimeoutMs: call.state.options.surveyAnswerTimeoutMs ?? SURVEY_ANSWER_TIMEOUT_MS,
  };
}
