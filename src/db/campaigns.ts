import { nowIso } from "../lib/ids";

export interface CampaignRow {
  id: number;
  customer_id: number;
  name: string;
  survey_json: string | null;
  created_at: string;
  updated_at: string;
}

export interface SurveyConfig {
  questions: { text: string; scaleMax?: number }[];
}

/** A 1-to-scaleMax answer scale when the campaign's question does not say. */
export const DEFAULT_SCALE_MAX = 5;

export const parseSurvey = (c: CampaignRow): SurveyConfig | null =>
  c.survey_json ? (JSON.parse(c.survey_json) as SurveyConfig) : null;

export const publicCampaign = (c: CampaignRow) => ({
  id: c.id,
  customerId: c.customer_id,
  name: c.name,
  survey: parseSurvey(c),
  createdAt: c.created_at,
  updatedAt: c.updated_at,
});

export async function insertCampaign(db: D1Database, customerId: number, name: string, survey: SurveyConfig | null) {
  const now = nowIso();
  const row = await db
    .prepare(
      `INSERT INTO campaigns (customer_id, name, survey_json, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4) RETURNING *`,
    )
    .bind(customerId, name, survey ? JSON.stringify(survey) : null, now)
    .first<CampaignRow>();
  if (!row) throw new Error("insert campaigns returned nothing");
  return row;
}

export async function updateCampaign(
  db: D1Database,
  customerId: number,
  id: number,
  patch: { name?: string; survey?: SurveyConfig | null },
) {
  return db
    .prepare(
      `UPDATE campaigns SET name = COALESCE(?3, name), survey_json = CASE WHEN ?4 THEN ?5 ELSE survey_json END, updated_at = ?6
       WHERE customer_id = ?1 AND id = ?2 RETURNING *`,
    )
    .bind(
      customerId,
      id,
      patch.name ?? null,
      patch.survey !== undefined ? 1 : 0,
      patch.survey ? JSON.stringify(patch.survey) : null,
      nowIso(),
    )
    .first<CampaignRow>();
}

export const getCampaign = (db: D1Database, customerId: number, id: number) =>
  db.prepare("SELECT * FROM campaigns WHERE customer_id = ?1 AND id = ?2").bind(customerId, id).first<CampaignRow>();

export async function listCampaigns(db: D1Database, customerId: number) {
  const { results } = await db
    .prepare("SELECT * FROM campaigns WHERE customer_id = ?1 ORDER BY id")
    .bind(customerId)
    .all<CampaignRow>();
  return results;
}
