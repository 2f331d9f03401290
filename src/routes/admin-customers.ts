import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { encryptSecret } from "../auth/crypto";
import { accountCodecs } from "../carriers/accounts";
import { getCarrierAccount, upsertCarrierAccountStmt } from "../db/carrier-accounts";
import * as customers from "../db/customers";
import { isUniqueViolation } from "../db/unique";
import type { Env } from "../env";
import { ApiError } from "../lib/errors";
import { idParam } from "../lib/schemas";
import { validate } from "../lib/validate";
import { customerView } from "./customer-view";
import { listQuery } from "./admin-params";

const openaiSettings = z.object({
  apiKey: z.string().min(1).nullable(),
  realtimeModel: z.string().min(1).optional(),
  transcriptionModel: z.string().min(1).optional(),
  transcriptionActive: z.boolean().optional(),
});
const httpsOrWss = z.url({ protocol: /^(https|wss)$/ });
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
const customerBody = z.object({
  name: z.string().min(1).max(200),
  ...carrierFields("create"),
  openai: openaiSettings.optional(),
  phoneStreamUrl: httpsOrWss.optional(),
  aiFallback: z.enum(["dial", "apology"]).optional(),
  phoneLogin: phoneLoginSettings.optional(),
});
const customerPatch = z.object({
  name: z.string().min(1).max(200).optional(),
  ...carrierFields("patch"),
  openai: openaiSettings.partial().optional(),
  phoneStreamUrl: httpsOrWss.nullable().optional(),
  aiFallback: z.enum(["dial", "apology"]).optional(),
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

/** One carrier account belongs to one customer: a second tenant on it is a 409, and nothing is written. */
async function saving(b: Record<string, unknown>, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (e) {
    if (!isUniqueViolation(e, "carrier_accounts")) throw e;
    const named = accountCodecs.filter((a) => b[a.carrier] !== undefined);
    throw new ApiError(
      409,
      named.length === 1 ? named[0]!.duplicateRef : "Another customer already uses one of these carrier accounts",
    );
  }
}

/** `/api/admin/customers`: the tenants and their carrier and OpenAI settings. */
export const adminCustomerRoutes = new Hono<AppEnv>()
  .post("/", validate("json", customerBody), async (c) => {
    const b = c.req.valid("json");
    const cols = await customerColumns(c.env, b);
    const insert = customers.insertCustomerStmt(c.env.DB, {
      name: b.name,
      phone_stream_url: cols.phone_stream_url ?? null,
      openai_api_key_enc: cols.openai_api_key_enc ?? null,
      openai_realtime_model: cols.openai_realtime_model ?? "gpt-realtime",
      openai_transcription_model: cols.openai_transcription_model ?? "gpt-4o-transcribe",
      openai_transcription_active: cols.openai_transcription_active ?? 1,
      ai_fallback: cols.ai_fallback ?? "apology",
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
    const rows = await customers.listCustomers(c.env.DB, limit, offset);
    return c.json({ items: await Promise.all(rows.map((r) => customerView(c.env.DB, r))), limit, offset });
  })
  .get("/:id", validate("param", idParam), async (c) =>
    c.json(await customerView(c.env.DB, await customers.loadCustomer(c.env.DB, c.req.valid("param").id))),
  )
  .patch("/:id", validate("param", idParam), validate("json", customerPatch), async (c) => {
    const { id } = c.req.valid("param");
    const b = c.req.valid("json");
    await customers.loadCustomer(c.env.DB, id);
    const stmts = [
      customers.updateCustomerStmt(c.env.DB, id, await customerColumns(c.env, b)),
      ...(await accountStmts(c.env, b, id)),
    ];
    await saving(b, () => c.env.DB.batch(stmts));
    return c.json(await customerView(c.env.DB, await customers.loadCustomer(c.env.DB, id)));
  });
