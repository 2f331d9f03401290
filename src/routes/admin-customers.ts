import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { encryptSecret } from "../auth/crypto";
import { accountCodecs } from "../carriers/accounts";
import { getCarrierAccount, upsertCarrierAccountStmt } from "../db/carrier-accounts";
import * as customers from "../db/customers";
import { enqueue } from "../db/jobs";
import { isUniqueViolation } from "../db/unique";
import type { Env } from "../env";
import { ApiError } from "../lib/errors";
import { idParam, intId } from "../lib/schemas";
import { invalid, validate } from "../lib/validate";
import { isTimeZone } from "../lib/zoned-time";
import { getAssistant } from "../db/assistants";
import { customerView } from "./customer-view";
import { listQuery } from "./admin-params";

const openaiSettings = z.object({
  apiKey: z.string().min(1).nullable(),
  realtimeModel: z.string().min(1).optional(),
  transcriptionModel: z.string().min(1).optional(),
  transcriptionActive: z.boolean().optional(),
});
/**
 * The media stream base of translated calls: ws, wss, http or https (a local setup streams to
 * `ws://127.0.0.1:8787/streams`); http(s) is written as ws(s) in the TwiML (src/carriers/twilio/stream-url.ts).
 */
const streamUrl = z.url({ protocol: /^(wss?|https?)$/ });
const timeZone = z.string().refine(isTimeZone, "an IANA time zone such as Europe/Brussels or UTC");
/** An inbound call to a rep's number (docs/campaigns.md, "Inbound calls to reps"). */
const inboundToRep = z.object({
  ringSeconds: z.number().int().min(5).max(120).optional(),
  noAnswer: z.enum(["voicemail", "assistant"]).optional(),
  assistantId: intId.nullable().optional(),
});
const phoneLoginSettings = z.object({
  /** ISO 3166 alpha-2 codes; null: the countries of the tenant's own numbers. */
  allowedCountries: z
    .array(
      z
        .string()
        .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166 alpha-2 country code")
        .transform((s) => s.toUpperCase()),
    )
    .max(250)
    .nullable()
    .optional(),
  /** 0 turns phone login off for the tenant. */
  maxCodesPerHour: z.number().int().min(0).max(100_000).optional(),
});
const carrierFields = (kind: "create" | "patch") =>
  Object.fromEntries(accountCodecs.map((a) => [a.carrier, a[kind].optional()]));
/** Days after which recordings and transcripts are deleted (docs/data-lifecycle.md); null keeps them. */
// 0 keeps nothing: every run of the daily cron deletes whatever recordings and transcripts were written before it.
const retentionDays = z.number().int().min(0).max(3650).nullable();
const customerBody = z.object({
  name: z.string().min(1).max(200),
  retentionDays: retentionDays.optional(),
  ...carrierFields("create"),
  openai: openaiSettings.optional(),
  phoneStreamUrl: streamUrl.optional(),
  aiFallback: z.enum(["dial", "apology"]).optional(),
  timeZone: timeZone.optional(),
  inboundToRep: inboundToRep.optional(),
  phoneLogin: phoneLoginSettings.optional(),
});
const customerPatch = z.object({
  name: z.string().min(1).max(200).optional(),
  retentionDays: retentionDays.optional(),
  ...carrierFields("patch"),
  openai: openaiSettings.partial().optional(),
  phoneStreamUrl: streamUrl.nullable().optional(),
  aiFallback: z.enum(["dial", "apology"]).optional(),
  timeZone: timeZone.optional(),
  inboundToRep: inboundToRep.optional(),
  phoneLogin: phoneLoginSettings.optional(),
});
type CustomerInput = z.infer<typeof customerPatch>;

/** Request fields → customer columns; the OpenAI key is encrypted here, before anything reaches D1. */
async function customerColumns(env: Env, b: CustomerInput): Promise<Partial<customers.CustomerFields>> {
  const o = b.openai ?? {};
  const countries = b.phoneLogin?.allowedCountries;
  return {
    name: b.name,
    phone_stream_url: b.phoneStreamUrl,
    openai_api_key_enc:
      o.apiKey === null ? null : o.apiKey === undefined ? undefined : await encryptSecret(env, o.apiKey),
    openai_realtime_model: o.realtimeModel,
    openai_transcription_model: o.transcriptionModel,
    openai_transcription_active: o.transcriptionActive === undefined ? undefined : o.transcriptionActive ? 1 : 0,
    ai_fallback: b.aiFallback,
    retention_days: b.retentionDays,
    time_zone: b.timeZone,
    rep_ring_seconds: b.inboundToRep?.ringSeconds,
    rep_no_answer: b.inboundToRep?.noAnswer,
    rep_no_answer_assistant_id: b.inboundToRep?.assistantId,
    phone_login_countries: countries === undefined ? undefined : countries && JSON.stringify([...new Set(countries)]),
    phone_login_hourly_limit: b.phoneLogin?.maxCodesPerHour,
  };
}

/** The carrier accounts a body names, as statements for the customer's batch (`customerId` or the one just inserted). */
async function accountStmts(env: Env, b: Record<string, unknown>, customerId: number | "last-insert") {
  const stmts: D1PreparedStatement[] = [];
  for (const codec of accountCodecs) {
    if (b[codec.carrier] === undefined) continue;
    const stored = customerId === "last-insert" ? null : await getCarrierAccount(env.DB, customerId, codec.carrier);
    stmts.push(
      upsertCarrierAccountStmt(env.DB, { ...(await codec.fields(env, b[codec.carrier], stored)), customerId }),
    );
  }
  return stmts;
}

/**
 * A Telnyx connection or RingCentral account belongs to one customer: a second tenant on it is a 409, and nothing is
 * written (several may share a Twilio account, whose webhooks name what tells them apart).
 */
async function saving(b: Record<string, unknown>, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (e) {
    if (!isUniqueViolation(e, "carrier_accounts")) throw e;
    const named = accountCodecs.filter((a) => b[a.carrier] !== undefined);
    throw new ApiError(
      409,
      (named.length === 1 && named[0]!.duplicateRef) || "Another customer already uses one of these carrier accounts",
    );
  }
}

/** The assistant named to take a rep's unanswered calls must be the tenant's (none named: its first assistant). */
async function checkInboundToRep(db: D1Database, row: customers.CustomerRow, r: CustomerInput["inboundToRep"]) {
  if (r?.assistantId && !(await getAssistant(db, row.id, r.assistantId)))
    throw invalid("json", [{ path: "inboundToRep.assistantId", message: `no assistant ${r.assistantId} here` }]);
}

/** `/api/admin/customers`: the tenants and their carrier and OpenAI settings. */
export const adminCustomerRoutes = new Hono<AppEnv>()
  .post("/", validate("json", customerBody), async (c) => {
    const b = c.req.valid("json");
    // A new customer has no assistant yet: one to take unanswered calls is named with PATCH once it exists.
    if (b.inboundToRep?.assistantId)
      throw invalid("json", [
        { path: "inboundToRep.assistantId", message: "set with PATCH once the assistant exists" },
      ]);
    const cols = await customerColumns(c.env, b);
    const insert = customers.insertCustomerStmt(c.env.DB, {
      name: b.name,
      phone_stream_url: cols.phone_stream_url ?? null,
      openai_api_key_enc: cols.openai_api_key_enc ?? null,
      openai_realtime_model: cols.openai_realtime_model ?? "gpt-realtime",
      openai_transcription_model: cols.openai_transcription_model ?? "gpt-4o-transcribe",
      openai_transcription_active: cols.openai_transcription_active ?? 1,
      ai_fallback: cols.ai_fallback ?? "apology",
      retention_days: cols.retention_days ?? null,
      time_zone: cols.time_zone ?? "UTC",
      rep_ring_seconds: cols.rep_ring_seconds ?? 20,
      // SPEC.md: a rep's unanswered calls fall back to the AI (voicemail while the tenant has no assistant).
      rep_no_answer: cols.rep_no_answer ?? "assistant",
      rep_no_answer_assistant_id: null,
      phone_login_countries: cols.phone_login_countries ?? null,
      phone_login_hourly_limit: cols.phone_login_hourly_limit ?? customers.DEFAULT_PHONE_LOGIN_HOURLY_LIMIT,
    });
    // The customer and its accounts land together: a refused account leaves no customer behind.
    let id = 0;
    await saving(b, async () => {
      const [inserted] = await c.env.DB.batch([insert, ...(await accountStmts(c.env, b, "last-insert"))]);
      id = inserted?.meta.last_row_id ?? 0;
    });
    return c.json(await customerView(c.env.DB, await customers.loadCustomer(c.env.DB, id)), 201);
  })
  .get("/", validate("query", listQuery), async (c) => {
    const { limit, offset } = c.req.valid("query");
    const rows = await customers.listCustomers(c.env.DB, limit, offset, "newest");
    return c.json({ items: await Promise.all(rows.map((r) => customerView(c.env.DB, r))), limit, offset });
  })
  .get("/:id", validate("param", idParam), async (c) =>
    c.json(await customerView(c.env.DB, await customers.loadCustomer(c.env.DB, c.req.valid("param").id))),
  )
  .patch("/:id", validate("param", idParam), validate("json", customerPatch), async (c) => {
    const { id } = c.req.valid("param");
    const b = c.req.valid("json");
    await checkInboundToRep(c.env.DB, await customers.loadCustomer(c.env.DB, id), b.inboundToRep);
    const stmts = [
      customers.updateCustomerStmt(c.env.DB, id, await customerColumns(c.env, b)),
      ...(await accountStmts(c.env, b, id)),
    ];
    await saving(b, () => c.env.DB.batch(stmts));
    return c.json(await customerView(c.env.DB, await customers.loadCustomer(c.env.DB, id)));
  })
  // Gone at once for every lookup; its calls, tickets, recordings (and the carriers' copies) are purged by a
  // queued job, a chunk at a time (docs/data-lifecycle.md). Answered 202: the purge is under way, and will finish.
  .delete("/:id", validate("param", idParam), async (c) => {
    const { id } = c.req.valid("param");
    await customers.loadCustomer(c.env.DB, id);
    await customers.markCustomerDeletedStmt(c.env.DB, id).run();
    await enqueue(c.env, { kind: "purge-customer", customerId: id });
    return c.json({ id, deleted: true, purge: "queued" }, 202);
  });
