import { nowIso } from "../lib/ids";

export const CAMPAIGN_STATUSES = ["draft", "running", "paused", "completed"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export interface CampaignRow {
  id: number;
  customer_id: number;
  name: string;
  survey_json: string | null;
  /** What it dials with (migrations/0008_outbound_campaigns.sql): the assistant, the caller ID, the settings JSON. */
  assistant_id: number | null;
  caller_id: string | null;
  status: CampaignStatus;
  dialing_json: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface SurveyConfig {
  questions: { text: string; scaleMax?: number }[];
}

/** The dialing columns a create or update may set; undefined leaves a column as it is, null clears it. */
export interface CampaignDialingColumns {
  assistant_id?: number | null;
  caller_id?: string | null;
  /** Already serialized (src/outbound/campaign-settings.ts owns the shape). */
  dialing_json?: string | null;
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

export async function insertCampaign(
  db: D1Database,
  customerId: number,
  name: string,
  survey: SurveyConfig | null,
  dialing: CampaignDialingColumns = {},
) {
  const now = nowIso();
  const row = await db
    .prepare(
      `INSERT INTO campaigns (customer_id, name, survey_json, assistant_id, caller_id, dialing_json, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING *`,
    )
    .bind(
      customerId,
      name,
      survey ? JSON.stringify(survey) : null,
      dialing.assistant_id ?? null,
      dialing.caller_id ?? null,
      dialing.dialing_json ?? null,
      now,
    )
    .first<CampaignRow>();
  if (!row) throw new Error("insert campaigns returned nothing");
  return row;
}

export async function updateCampaign(
  db: D1Database,
  customerId: number,
  id: number,
  patch: { name?: string; survey?: SurveyConfig | null } & CampaignDialingColumns,
) {
  const cols: Record<string, string | number | null> = {};
  if (patch.name !== undefined) cols.name = patch.name;
  if (patch.survey !== undefined) cols.survey_json = patch.survey ? JSON.stringify(patch.survey) : null;
  for (const k of ["assistant_id", "caller_id", "dialing_json"] as const)
    if (patch[k] !== undefined) cols[k] = patch[k];
  const keys = Object.keys(cols);
  const sets = [...keys.map((k, i) => `${k} = ?${i + 3}`), `updated_at = ?${keys.length + 3}`];
  return db
    .prepare(`UPDATE campaigns SET ${sets.join(", ")} WHERE customer_id = ?1 AND id = ?2 RETURNING *`)
    .bind(customerId, id, ...keys.map((k) => cols[k] ?? null), nowIso())
    .first<CampaignRow>();
}

/**
 * Moves a campaign to `to` only from one of `from` (start: draft → running, pause, resume, completion), with the
 * error that paused it or null; null when it was in no such status (the caller answers 409 or leaves it).
 */
export const transitionCampaign = (
  db: D1Database,
  customerId: number,
  id: number,
  from: readonly CampaignStatus[],
  to: CampaignStatus,
  error: string | null = null,
) =>
  db
    .prepare(
      `UPDATE campaigns SET status = ?3, last_error = ?4, updated_at = ?5
       WHERE customer_id = ?1 AND id = ?2 AND status IN (SELECT value FROM json_each(?6)) RETURNING *`,
    )
    .bind(customerId, id, to, error, nowIso(), JSON.stringify(from))
    .first<CampaignRow>();

export const getCampaign = (db: D1Database, customerId: number, id: number) =>
  db.prepare("SELECT * FROM campaigns WHERE customer_id = ?1 AND id = ?2").bind(customerId, id).first<CampaignRow>();

export async function listCampaigns(db: D1Database, customerId: number) {
  const { results } = await db
    .prepare("SELECT * FROM campaigns WHERE customer_id = ?1 ORDER BY id")
    .bind(customerId)
    .all<CampaignRow>();
  return results;
}
