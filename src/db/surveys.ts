export interface SurveyRow {
  id: number;
  call_id: string;
  customer_id: number;
  campaign_id: number | null;
  state: "NotStarted" | "Partial" | "Completed";
  completion_reason: string | null;
  total_questions: number;
  questions_answered: number;
  calculated_score: number | null;
  created_at: string;
  updated_at: string;
}

export interface SurveyResponseRow {
  id: number;
  survey_id: number;
  question_index: number;
  question: string;
  answer: string;
  score: number | null;
  created_at: string;
}

export const getSurveyOfCall = (db: D1Database, customerId: number, callId: string) =>
  db
    .prepare("SELECT * FROM surveys WHERE customer_id = ?1 AND call_id = ?2")
    .bind(customerId, callId)
    .first<SurveyRow>();

export async function listSurveyResponses(db: D1Database, surveyId: number) {
  const { results } = await db
    .prepare("SELECT * FROM survey_responses WHERE survey_id = ?1 ORDER BY question_index")
    .bind(surveyId)
    .all<SurveyResponseRow>();
  return results;
}

// ── recording answers (the admin ingest endpoint, and DTMF collection in the live call) ──

export const COMPLETION_REASONS = ["AllAnswered", "HangUp", "Timeout", "Declined"] as const;
export type CompletionReason = (typeof COMPLETION_REASONS)[number];

export interface SurveyAnswer {
  questionIndex: number;
  question: string;
  answer: string;
  score: number;
  scaleMax: number;
}

/**
 * Creates the call's survey if needed, upserts the given answers (a question answered again keeps the last
 * answer), then recomputes questionsAnswered, calculatedScore, state and completionReason from every stored
 * answer, all in one transaction. The score is the mean of score / scaleMax over answered questions, × 100.
 * `reason` is used while the survey is not complete; a complete one is always `AllAnswered`.
 */
export async function recordSurveyAnswers(
  db: D1Database,
  s: {
    customerId: number;
    callId: string;
    campaignId: number | null;
    totalQuestions: number;
    answers: SurveyAnswer[];
    reason: CompletionReason | null;
  },
): Promise<SurveyRow> {
  const now = new Date().toISOString();
  const surveyId = "(SELECT id FROM surveys WHERE customer_id = ?1 AND call_id = ?2)";
  const stmts = [
    db
      .prepare(
        `INSERT INTO surveys (call_id, customer_id, campaign_id, state, total_questions, created_at, updated_at)
         VALUES (?2, ?1, ?3, 'NotStarted', ?4, ?5, ?5)
         ON CONFLICT (call_id) DO UPDATE SET total_questions = excluded.total_questions, updated_at = excluded.updated_at`,
      )
      .bind(s.customerId, s.callId, s.campaignId, s.totalQuestions, now),
    ...s.answers.map((a) =>
      db
        .prepare(
          `INSERT INTO survey_responses (survey_id, question_index, question, answer, score, scale_max, created_at)
           VALUES (${surveyId}, ?3, ?4, ?5, ?6, ?7, ?8)
           ON CONFLICT (survey_id, question_index) DO UPDATE SET
             question = excluded.question, answer = excluded.answer, score = excluded.score, scale_max = excluded.scale_max`,
        )
        .bind(s.customerId, s.callId, a.questionIndex, a.question, a.answer, a.score, a.scaleMax, now),
    ),
    db
      .prepare(
        `UPDATE surveys SET
           questions_answered = agg.answered,
           calculated_score = CASE WHEN agg.answered = 0 THEN NULL ELSE ROUND(agg.mean * 100, 1) END,
           state = CASE WHEN agg.answered = 0 THEN 'NotStarted' WHEN agg.answered >= total_questions THEN 'Completed' ELSE 'Partial' END,
           completion_reason = CASE WHEN agg.answered >= total_questions THEN 'AllAnswered' ELSE ?3 END,
           updated_at = ?4
         FROM (SELECT COUNT(*) AS answered, AVG(score * 1.0 / scale_max) AS mean
               FROM survey_responses WHERE survey_id = ${surveyId}) AS agg
         WHERE customer_id = ?1 AND call_id = ?2
         RETURNING *`,
      )
      .bind(s.customerId, s.callId, s.reason, now),
  ];
  const results = await db.batch<SurveyRow>(stmts);
  const row = results[results.length - 1]?.results[0];
  if (!row) throw new Error("recording survey answers returned nothing");
  return row;
}

export const publicEpaResults = (s: SurveyRow, responses: SurveyResponseRow[]) => ({
  state: s.state,
  completionReason: s.completion_reason,
  totalQuestions: s.total_questions,
  questionsAnswered: s.questions_answered,
  calculatedScore: s.calculated_score,
  responses: responses.map((r) => ({
    questionIndex: r.question_index,
    question: r.question,
    answer: r.answer,
    score: r.score,
  })),
});
