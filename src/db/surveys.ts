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
  db.prepare("SELECT * FROM surveys WHERE customer_id = ?1 AND call_id = ?2").bind(customerId, callId).first<SurveyRow>();

export async function listSurveyResponses(db: D1Database, surveyId: number) {
  const { results } = await db
    .prepare("SELECT * FROM survey_responses WHERE survey_id = ?1 ORDER BY question_index")
    .bind(surveyId)
    .all<SurveyResponseRow>();
  return results;
}
