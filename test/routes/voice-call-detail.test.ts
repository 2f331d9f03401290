import { describe, expect, it } from "vitest";
import { api, json, provisionTenant, repToken } from "../helpers";
import { recordSurvey, seedCall, seedCampaign } from "../seed/calls";

const SURVEY = {
  questions: [
    { text: "How satisfied are you?" },
    { text: "Would you recommend us?", scaleMax: 10 },
    { text: "Was it quick?", scaleMax: 3 },
  ],
};

describe("GET /api/v1/voice-calls/{id}", () => {
  it("returns the call with its transcript as HH:MM:SS offsets in spoken order", async () => {
    const t = await provisionTenant();
    const call = await seedCall(t.customerId, {
      transcript: [
        { sender: "EndUser", text: "Hi, yes...", offsetMs: 4_200 },
        { sender: "AI", text: "Hello, this is...", offsetMs: 1_000 },
        { sender: "CustomerRep", text: "Taking over.", offsetMs: 3_725_999 },
      ],
    });
    const res = await api(`/api/v1/voice-calls/${call.id}`, { token: t.token });
    expect(res.status).toBe(200);
    const body = await json<Record<string, unknown>>(res);
    expect(body.id).toBe(call.id);
    expect(body.transcript).toEqual([
      { role: "agent", text: "Hello, this is...", timestamp: "00:00:01" },
      { role: "customer", text: "Hi, yes...", timestamp: "00:00:04" },
      { role: "agent", text: "Taking over.", timestamp: "01:02:05" },
    ]);
    expect(body).not.toHaveProperty("epaResults");
  });

  it("carries the call's sentiment, null until it is classified", async () => {
    const t = await provisionTenant();
    const classified = await seedCall(t.customerId, { sentiment: "negative" });
    const pending = await seedCall(t.customerId);
    const body = async (id: string) =>
      json<{ sentiment: unknown }>(await api(`/api/v1/voice-calls/${id}`, { token: t.token }));
    expect((await body(classified.id)).sentiment).toBe("negative");
    expect((await body(pending.id)).sentiment).toBeNull();
  });

  it("inlines the survey results when the campaign has a survey", async () => {
    const t = await provisionTenant();
    const camp = await seedCampaign(t.customerId, SURVEY);
    const call = await seedCall(t.customerId, { campaignId: camp.id });
    const before = await json<{ epaResults: unknown }>(await api(`/api/v1/voice-calls/${call.id}`, { token: t.token }));
    expect(before.epaResults).toEqual({
      state: "NotStarted",
      completionReason: null,
      totalQuestions: 3,
      questionsAnswered: 0,
      calculatedScore: null,
      responses: [],
    });
    expect(
      (await recordSurvey(t.customerId, call.id, { responses: [{ questionIndex: 0, score: 4, answer: "Satisfied" }] }))
        .status,
    ).toBe(200);
    const after = await json<{ epaResults: { state: string; responses: unknown[] } }>(
      await api(`/api/v1/voice-calls/${call.id}`, { token: t.token }),
    );
    expect(after.epaResults.state).toBe("Partial");
    expect(after.epaResults.responses).toEqual([
      { questionIndex: 0, question: "How satisfied are you?", answer: "Satisfied", score: 4 },
    ]);
  });

  it("is a 404 for an unknown or foreign call and a 400 for a malformed id", async () => {
    const a = await provisionTenant();
    const b = await provisionTenant();
    const call = await seedCall(a.customerId);
    for (const path of [`/api/v1/voice-calls/${call.id}`, `/api/v1/voice-calls/${call.id}/epa-results`]) {
      const res = await api(path, { token: b.token });
      expect(res.status, path).toBe(404);
      expect(await json(res)).toEqual({ error: "Voice call not found" });
    }
    expect((await api("/api/v1/voice-calls/vc_000000000000000000000000", { token: a.token })).status).toBe(404);
    expect((await api("/api/v1/voice-calls/vc%20drop", { token: a.token })).status).toBe(400);
  });

  it("needs voice:read", async () => {
    const t = await provisionTenant();
    const call = await seedCall(t.customerId);
    const token = await repToken(t.repId, { scope: "audio:download" });
    expect((await api(`/api/v1/voice-calls/${call.id}`, { token })).status).toBe(403);
    expect((await api(`/api/v1/voice-calls/${call.id}/epa-results`, { token })).status).toBe(403);
    expect((await api(`/api/v1/voice-calls/${call.id}`)).status).toBe(401);
  });
});

describe("post-call survey (EPA)", () => {
  it("moves from NotStarted to Partial to Completed, scoring the mean of score/scale × 100", async () => {
    const t = await provisionTenant();
    const camp = await seedCampaign(t.customerId, SURVEY);
    const call = await seedCall(t.customerId, { campaignId: camp.id });
    const epa = async () =>
      json<Record<string, unknown>>(await api(`/api/v1/voice-calls/${call.id}/epa-results`, { token: t.token }));
    expect((await epa()).state).toBe("NotStarted");

    const partial = await json(
      await recordSurvey(t.customerId, call.id, {
        responses: [{ questionIndex: 1, score: 8 }],
        completionReason: "Timeout",
      }),
    );
    expect(partial).toMatchObject({
      state: "Partial",
      completionReason: "Timeout",
      totalQuestions: 3,
      questionsAnswered: 1,
      calculatedScore: 80,
    });
    expect(await epa()).toEqual(partial);

    // re-answering a question replaces it; answering the rest completes the survey
    await recordSurvey(t.customerId, call.id, {
      responses: [
        { questionIndex: 0, score: 5 },
        { questionIndex: 1, score: 9 },
        { questionIndex: 2, score: 2 },
      ],
    });
    const done = await epa();
    expect(done).toMatchObject({ state: "Completed", completionReason: "AllAnswered", questionsAnswered: 3 });
    expect(done.calculatedScore).toBe(Math.round(((5 / 5 + 9 / 10 + 2 / 3) / 3) * 1000) / 10);
    expect(done.responses).toEqual([
      { questionIndex: 0, question: "How satisfied are you?", answer: "5", score: 5 },
      { questionIndex: 1, question: "Would you recommend us?", answer: "9", score: 9 },
      { questionIndex: 2, question: "Was it quick?", answer: "2", score: 2 },
    ]);
  });

  it("records a survey the caller hung up on before answering as NotStarted with its reason", async () => {
    const t = await provisionTenant();
    const camp = await seedCampaign(t.customerId, SURVEY);
    const call = await seedCall(t.customerId, { campaignId: camp.id });
    const res = await recordSurvey(t.customerId, call.id, { responses: [], completionReason: "HangUp" });
    expect(await json(res)).toEqual({
      state: "NotStarted",
      completionReason: "HangUp",
      totalQuestions: 3,
      questionsAnswered: 0,
      calculatedScore: null,
      responses: [],
    });
  });

  it("is a 404 when the call's campaign has no survey, and ingest refuses it", async () => {
    const t = await provisionTenant();
    const call = await seedCall(t.customerId);
    const res = await api(`/api/v1/voice-calls/${call.id}/epa-results`, { token: t.token });
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: "No post-call survey is configured for this call's campaign" });
    expect((await recordSurvey(t.customerId, call.id, { responses: [] })).status).toBe(409);
  });

  it("refuses out-of-range answers, unknown questions and foreign calls on ingest", async () => {
    const t = await provisionTenant();
    const other = await provisionTenant();
    const camp = await seedCampaign(t.customerId, SURVEY);
    const call = await seedCall(t.customerId, { campaignId: camp.id });
    for (const [body, path] of [
      [{ responses: [{ questionIndex: 3, score: 1 }] }, "responses.0.questionIndex"],
      [{ responses: [{ questionIndex: 2, score: 4 }] }, "responses.0.score"],
      [{ responses: [{ questionIndex: 0, score: 0 }] }, "responses.0.score"],
      [
        {
          responses: [
            { questionIndex: 0, score: 1 },
            { questionIndex: 0, score: 2 },
          ],
        },
        "responses.1.questionIndex",
      ],
      [{ responses: [], completionReason: "AllAnswered" }, "completionReason"],
    ] as const) {
      const res = await recordSurvey(t.customerId, call.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json<{ issues: { path: string }[] }>(res)).issues.map((i) => i.path)).toContain(path);
    }
    expect((await recordSurvey(other.customerId, call.id, { responses: [] })).status).toBe(404);
    expect(
      (
        await api(`/api/admin/customers/${t.customerId}/calls/${call.id}/survey`, {
          method: "POST",
          json: { responses: [] },
          token: t.token,
        })
      ).status,
    ).toBe(401);
    // nothing half-written by the refusals
    expect(
      (await json<{ state: string }>(await api(`/api/v1/voice-calls/${call.id}/epa-results`, { token: t.token })))
        .state,
    ).toBe("NotStarted");
  });
});
