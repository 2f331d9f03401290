import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { updateCall } from "../../src/db/calls";
import { admin, api, json } from "../helpers";
import { answeringDrivers, controlActed, startCall, twilioDriver, type AnsweringDriver } from "./drivers";
import {
  assistantTenant,
  closedCall,
  playAll,
  silentToolCall,
  realtimeState,
  toolCallsOf,
  type AssistantTenant,
} from "./live-helpers";
import { eventually } from "./stream-client";

const QUESTIONS = [{ text: "How satisfied are you?" }, { text: "Would you recommend us?", scaleMax: 10 }];

/** A call on `driver` whose campaign (set on its record, as whoever placed it would) has a two-question survey. */
async function surveyCall(driver: AnsweringDriver, opts: { surveyAnswerTimeoutMs?: number } = {}) {
  const t = await assistantTenant({ welcome: null });
  const res = await admin(`/customers/${t.customerId}/campaigns`, {
    method: "POST",
    json: { name: "Renewals", survey: { questions: QUESTIONS } },
  });
  const campaign = await json<{ id: number }>(res);
  const call = await startCall(driver, t, { configure: opts });
  await updateCall(env.DB, t.customerId, call.callId, { campaign_id: campaign.id });
  return { t, key: t.openaiKey!, ...call };
}

/** The model decides the conversation is over. */
const endCall = (key: string) => silentToolCall(key, "end_call");

/** The replies the engine asked for, by their instructions. */
async function askedFor(key: string, n: number) {
  const st = await eventually(
    () => realtimeState(key),
    (s) => instructionsOf(s.connections[0]!.events).length >= n,
    `${n} replies asked for`,
  );
  return instructionsOf(st.connections[0]!.events);
}
const instructionsOf = (events: { type: string; [k: string]: unknown }[]) =>
  events
    .filter((e) => e.type === "response.create")
    .map((e) => (e as { response?: { instructions?: string } }).response?.instructions ?? "");

const epaOf = async (t: AssistantTenant, callId: string) =>
  json<{
    state: string;
    completionReason: string | null;
    questionsAnswered: number;
    totalQuestions: number;
    calculatedScore: number | null;
    responses: { questionIndex: number; question: string; answer: string; score: number }[];
  }>(await api(`/api/v1/voice-calls/${callId}/epa-results`, { token: t.token }));

describe.each(answeringDrivers)("the post-call survey on $carrier (docs/live-calls.md, Surveys)", (driver) => {
  it("by keypad: end_call starts it, each digit answers a question (off-scale ones re-ask), then goodbye and hang-up", async () => {
    const { t, key, tc, stub, callId, callSid } = await surveyCall(driver);
    // Outside the survey a digit means nothing.
    tc.dtmf("5");
    await eventually(
      () => stub.stats(),
      (s) => s.digits === 1 && s.ignoredDigits === 1,
      "the digit ignored",
    );

    await endCall(key);
    const [q1] = await askedFor(key, 1);
    expect(q1).toContain('"How satisfied are you?"');
    expect(q1).toContain("from 1 to 5");
    const st = await realtimeState(key);
    // The survey's tools were added to the session for spoken answers.
    expect(st.connections[0]!.session!.tools!.map((x) => x.name)).toEqual([
      "end_call",
      "transfer_to_human",
      "record_survey_answer",
      "decline_survey",
    ]);
    expect(JSON.parse(st.connections[0]!.functionCalls[0]!.output!)).toMatchObject({ ending: false });
    await tc.until(() => tc.of("mark").length === 2, "the first question");

    tc.dtmf("9"); // not on a 1-5 scale: asked again
    const [, again] = await askedFor(key, 2);
    expect(again).toMatch(/not on the scale.*"How satisfied are you\?"/);
    // Each answer after its question has played: a digit pressed mid-question cuts the rest of it (barge-in), and
    // the mark counts below are those of whole questions.
    await tc.until(() => tc.of("mark").length === 4, "the question asked again");
    tc.dtmf("4");
    const [, , q2] = await askedFor(key, 3);
    expect(q2).toContain('"Would you recommend us?"');
    expect(q2).toContain("(0 for 10)");
    await tc.until(() => tc.of("mark").length === 6, "the second question");
    tc.dtmf("0"); // 10 on a ten-point scale
    const [, , , thanks] = await askedFor(key, 4);
    expect(thanks).toMatch(/thank the caller/i);

    await tc.until(() => tc.of("mark").length === 8, "the thanks");
    playAll(tc);
    await controlActed(driver, t, callSid, "the hang-up");
    expect((await closedCall(t, callId))?.outcome).toBe("completed");
    expect(await epaOf(t, callId)).toEqual({
      state: "Completed",
      completionReason: "AllAnswered",
      totalQuestions: 2,
      questionsAnswered: 2,
      calculatedScore: 90,
      responses: [
        { questionIndex: 0, question: "How satisfied are you?", answer: "4", score: 4 },
        { questionIndex: 1, question: "Would you recommend us?", answer: "10", score: 10 },
      ],
    });
    // What the caller pressed is part of the conversation the model sees.
    const notes = (await realtimeState(key)).connections[0]!.events.filter(
      (e) => e.type === "conversation.item.create" && (e.item as { type: string }).type === "message",
    );
    expect(notes.map((e) => JSON.stringify(e.item))).toEqual([
      expect.stringContaining("pressed 9"),
      expect.stringContaining("pressed 4"),
      expect.stringContaining("pressed 0"),
    ]);
    expect((await toolCallsOf(t, callId)).map((r) => [r.name, r.success])).toEqual([["end_call", 1]]);
  });

  it("by voice, then the caller hangs up mid-survey: the answer given is kept as a partial survey", async () => {
    const { t, key, tc, callId } = await surveyCall(driver);
    await endCall(key);
    await askedFor(key, 1);
    // The caller says "three"; the model records it.
    await silentToolCall(key, "record_survey_answer", '{"questionIndex":0,"score":3}', "user_turn");
    const [, q2] = await askedFor(key, 2);
    expect(q2).toContain('"Would you recommend us?"');
    tc.stop(t.accountSid);
    await closedCall(t, callId);
    expect(await epaOf(t, callId)).toMatchObject({
      state: "Partial",
      completionReason: "HangUp",
      questionsAnswered: 1,
      calculatedScore: 60,
      responses: [{ questionIndex: 0, answer: "3", score: 3 }],
    });
    expect((await toolCallsOf(t, callId)).map((r) => [r.name, r.success])).toEqual([
      ["end_call", 1],
      ["record_survey_answer", 1],
    ]);
  });
});

describe("the post-call survey: declined, off-scale and unanswered", () => {
  it("a spoken score off the scale is refused and asked again; decline_survey ends it as Declined", async () => {
    const { t, key, tc, callId, callSid } = await surveyCall(twilioDriver);
    await endCall(key);
    await askedFor(key, 1);
    await silentToolCall(key, "record_survey_answer", '{"questionIndex":0,"score":7}');
    // The refusal goes back to the model, which answers it (asking again).
    await askedFor(key, 2);
    await tc.until(() => tc.of("mark").length === 4, "the model's answer to the refusal");
    await silentToolCall(key, "decline_survey");
    const [, , goodbye] = await askedFor(key, 3);
    expect(goodbye).toMatch(/goodbye/i);
    await tc.until(() => tc.of("mark").length === 6, "the goodbye");
    playAll(tc);
    await controlActed(twilioDriver, t, callSid, "the hang-up");
    await closedCall(t, callId);
    expect(await epaOf(t, callId)).toMatchObject({
      state: "NotStarted",
      completionReason: "Declined",
      questionsAnswered: 0,
      calculatedScore: null,
    });
    expect((await toolCallsOf(t, callId)).map((r) => [r.name, r.success, r.error])).toEqual([
      ["end_call", 1, null],
      ["record_survey_answer", 0, "score off scale"],
      ["decline_survey", 1, null],
    ]);
  });

  it("no answer once the question has played → Timeout, goodbye and hang-up", async () => {
    const { t, key, tc, callId, callSid } = await surveyCall(twilioDriver, { surveyAnswerTimeoutMs: 200 });
    await endCall(key);
    await askedFor(key, 1);
    await tc.until(() => tc.of("mark").length === 2, "the question");
    playAll(tc); // the answer clock starts once the question has played
    const [, goodbye] = await askedFor(key, 2);
    expect(goodbye).toMatch(/goodbye/i);
    await tc.until(() => tc.of("mark").length === 4, "the goodbye");
    playAll(tc);
    await controlActed(twilioDriver, t, callSid, "the hang-up");
    await closedCall(t, callId);
    expect(await epaOf(t, callId)).toMatchObject({ state: "NotStarted", completionReason: "Timeout" });
  });
});
