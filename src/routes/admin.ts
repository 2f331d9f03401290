import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { encryptSecret } from "../auth/crypto";
import { requireAdmin } from "../auth/middleware";
import type { Env } from "../env";
import * as assistants from "../db/assistants";
import * as campaigns from "../db/campaigns";
import * as customers from "../db/customers";
import * as numbers from "../db/phone-numbers";
import * as reps from "../db/reps";
import { ApiError, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { validate } from "../lib/validate";
import { intId, phoneNumber } from "../lib/schemas";
import { twilioSid } from "../carriers/twilio/sids";

const twilioSettings = z.object({
  accountSid: twilioSid("AC"),
  authToken: z.string().min(1),
  apiKeySid: twilioSid("SK"),
  apiKeySecret: z.string().min(1),
  twimlAppSid: twilioSid("AP"),
  /** Further TwiML apps of this account that a voice token may name as twimlAppSidOverride. */
  extraTwimlAppSids: z.array(twilioSid("AP")).max(50).optional(),
  region: z.string().regex(/^[a-z]{2}\d$/, "a Twilio region such as us1, ie1, au1").optional(),
  edge: z.string().regex(/^[a-z-]+$/, "a Twilio edge such as dublin, sydney, ashburn").optional(),
});
const openaiSettings = z.object({
  apiKey: z.string().min(1).nullable(),
  realtimeModel: z.string().min(1).optional(),
  transcriptionModel: z.string().min(1).optional(),
  transcriptionActive: z.boolean().optional(),
});
const httpsOrWss = z.url({ protocol: /^(https|wss)$/ });
const customerBody = z.object({
  name: z.string().min(1).max(200),
  twilio: twilioSettings,
  openai: openaiSettings.optional(),
  phoneStreamUrl: httpsOrWss.optional(),
  aiFallback: z.enum(["dial", "apology"]).optional(),
});
const customerPatch = z.object({
  name: z.string().min(1).max(200).optional(),
  twilio: twilioSettings.partial().optional(),
  openai: openaiSettings.partial().optional(),
  phoneStreamUrl: httpsOrWss.nullable().optional(),
  aiFallback: z.enum(["dial", "apology"]).optional(),
});
const identity = z.string().regex(/^[A-Za-z0-9_]{1,121}$/, "letters, digits and underscores, at most 121 (Twilio client identity)");
const repBody = z.object({
  name: z.string().min(1).max(200),
  email: z.email().optional(),
  identity: identity.optional(),
  phoneNumbers: z.array(phoneNumber).max(100).optional(),
  active: z.boolean().optional(),
});
const repPatch = repBody.partial().extend({ email: z.email().nullable().optional() });
const numberBody = z.object({ number: phoneNumber, repId: intId.optional(), assistantId: intId.optional() });
const assistantBody = z.object({
  name: z.string().min(1).max(200),
  instructions: z.string().min(1).max(20_000),
  voice: z.string().min(1).max(40).optional(),
  welcomeMessage: z.string().max(2000).optional(),
  language: z.string().min(2).max(35).optional(),
});
const surveyBody = z.object({
  questions: z.array(z.object({ text: z.string().min(1).max(500), scaleMax: z.number().int().min(1).max(10).optional() })).min(1).max(20),
});
const campaignBody = z.object({ name: z.string().min(1).max(200), survey: surveyBody.optional() });
const campaignPatch = z.object({ name: z.string().min(1).max(200).optional(), survey: surveyBody.nullable().optional() });
const customerParam = z.object({ id: intId });
const childParam = z.object({ id: intId, childId: intId });
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), offset: z.coerce.number().int().min(0).default(0) });

type CustomerInput = z.infer<typeof customerPatch>;

/** Request fields → columns; secrets are encrypted here, before anything reaches D1. */
async function customerColumns(env: Env, b: CustomerInput): Promise<Partial<customers.CustomerFields>> {
  const enc = (s: string | undefined) => (s === undefined ? undefined : encryptSecret(env, s));
  const t = b.twilio ?? {};
  const o = b.openai ?? {};
  return {
    name: b.name,
    twilio_account_sid: t.accountSid,
    twilio_auth_token_enc: await enc(t.authToken),
    twilio_api_key_sid: t.apiKeySid,
    twilio_api_key_secret_enc: await enc(t.apiKeySecret),
    twilio_twiml_app_sid: t.twimlAppSid,
    twilio_extra_twiml_app_sids: t.extraTwimlAppSids === undefined ? undefined : JSON.stringify([...new Set(t.extraTwimlAppSids)]),
    twilio_region: t.region,
    twilio_edge: t.edge,
    phone_stream_url: b.phoneStreamUrl,
    openai_api_key_enc: o.apiKey === null ? null : await enc(o.apiKey),
    openai_realtime_model: o.realtimeModel,
    openai_transcription_model: o.transcriptionModel,
    openai_transcription_active: o.transcriptionActive === undefined ? undefined : o.transcriptionActive ? 1 : 0,
    ai_fallback: b.aiFallback,
  };
}

async function existingCustomer(env: Env, id: number) {
  const c = await customers.getCustomer(env.DB, id);
  if (!c) throw notFound(`Customer ${id} not found`);
  return c;
}

async function repView(db: D1Database, r: reps.RepRow) {
  return reps.publicRep(r, await numbers.numbersOfRep(db, r.customer_id, r.id));
}

function duplicateAccountSid(e: unknown): never {
  if (e instanceof Error && /UNIQUE constraint failed: customers.twilio_account_sid/.test(e.message)) {
    throw new ApiError(409, "Another customer already uses this Twilio account SID");
  }
  throw e;
}

export const adminRoutes = new Hono<AppEnv>()
  .use("*", requireAdmin)
  .post("/customers", validate("json", customerBody), async (c) => {
    const b = c.req.valid("json");
    const cols = await customerColumns(c.env, b);
    const row = await customers
      .insertCustomer(c.env.DB, {
        ...(cols as customers.CustomerFields),
        twilio_extra_twiml_app_sids: cols.twilio_extra_twiml_app_sids ?? "[]",
        twilio_region: cols.twilio_region ?? null,
        twilio_edge: cols.twilio_edge ?? null,
        phone_stream_url: cols.phone_stream_url ?? null,
        openai_api_key_enc: cols.openai_api_key_enc ?? null,
        openai_realtime_model: cols.openai_realtime_model ?? "gpt-realtime",
        openai_transcription_model: cols.openai_transcription_model ?? "gpt-4o-transcribe",
        openai_transcription_active: cols.openai_transcription_active ?? 1,
        ai_fallback: cols.ai_fallback ?? "apology",
      })
      .catch(duplicateAccountSid);
    return c.json(customers.publicCustomer(row), 201);
  })
  .get("/customers", validate("query", listQuery), async (c) => {
    const { limit, offset } = c.req.valid("query");
    return c.json({ items: (await customers.listCustomers(c.env.DB, limit, offset)).map(customers.publicCustomer), limit, offset });
  })
  .get("/customers/:id", validate("param", customerParam), async (c) =>
    c.json(customers.publicCustomer(await existingCustomer(c.env, c.req.valid("param").id))),
  )
  .patch("/customers/:id", validate("param", customerParam), validate("json", customerPatch), async (c) => {
    const { id } = c.req.valid("param");
    await existingCustomer(c.env, id);
    const row = await customers.updateCustomer(c.env.DB, id, await customerColumns(c.env, c.req.valid("json"))).catch(duplicateAccountSid);
    if (!row) throw notFound(`Customer ${id} not found`);
    return c.json(customers.publicCustomer(row));
  })
  // ── reps ──
  .post("/customers/:id/reps", validate("param", customerParam), validate("json", repBody), async (c) => {
    const { id } = c.req.valid("param");
    const b = c.req.valid("json");
    await existingCustomer(c.env, id);
    const rep = await reps
      .insertRep(c.env.DB, { customerId: id, name: b.name, email: b.email ?? null, identity: b.identity ?? newId("rep", 8), active: b.active ?? true })
      .catch((e: unknown) => {
        if (e instanceof Error && /UNIQUE/.test(e.message)) throw new ApiError(409, "Another rep of this customer has that identity");
        throw e;
      });
    for (const n of b.phoneNumbers ?? []) await numbers.upsertPhoneNumber(c.env.DB, { customerId: id, number: n, repId: rep.id, assistantId: null });
    return c.json(await repView(c.env.DB, rep), 201);
  })
  .get("/customers/:id/reps", validate("param", customerParam), validate("query", listQuery), async (c) => {
    const { id } = c.req.valid("param");
    const { limit, offset } = c.req.valid("query");
    await existingCustomer(c.env, id);
    const rows = await reps.listReps(c.env.DB, id, limit, offset);
    return c.json({ items: await Promise.all(rows.map((r) => repView(c.env.DB, r))), limit, offset });
  })
  .get("/customers/:id/reps/:childId", validate("param", childParam), async (c) => {
    const { id, childId } = c.req.valid("param");
    const rep = await reps.getRep(c.env.DB, id, childId);
    if (!rep) throw notFound(`Rep ${childId} not found`);
    return c.json(await repView(c.env.DB, rep));
  })
  .patch("/customers/:id/reps/:childId", validate("param", childParam), validate("json", repPatch), async (c) => {
    const { id, childId } = c.req.valid("param");
    const b = c.req.valid("json");
    const rep = await reps.updateRep(c.env.DB, id, childId, b);
    if (!rep) throw notFound(`Rep ${childId} not found`);
    for (const n of b.phoneNumbers ?? []) await numbers.upsertPhoneNumber(c.env.DB, { customerId: id, number: n, repId: rep.id, assistantId: null });
    return c.json(await repView(c.env.DB, rep));
  })
  // ── phone numbers ──
  .post("/customers/:id/phone-numbers", validate("param", customerParam), validate("json", numberBody), async (c) => {
    const { id } = c.req.valid("param");
    const b = c.req.valid("json");
    await existingCustomer(c.env, id);
    if (b.repId !== undefined && !(await reps.getRep(c.env.DB, id, b.repId))) throw notFound(`Rep ${b.repId} not found`);
    if (b.assistantId !== undefined && !(await assistants.getAssistant(c.env.DB, id, b.assistantId))) {
      throw notFound(`Assistant ${b.assistantId} not found`);
    }
    const row = await numbers.upsertPhoneNumber(c.env.DB, { customerId: id, number: b.number, repId: b.repId ?? null, assistantId: b.assistantId ?? null });
    return c.json(numbers.publicPhoneNumber(row), 201);
  })
  .get("/customers/:id/phone-numbers", validate("param", customerParam), async (c) => {
    const { id } = c.req.valid("param");
    await existingCustomer(c.env, id);
    return c.json({ items: (await numbers.listPhoneNumbers(c.env.DB, id)).map(numbers.publicPhoneNumber) });
  })
  // ── assistants ──
  .post("/customers/:id/assistants", validate("param", customerParam), validate("json", assistantBody), async (c) => {
    const { id } = c.req.valid("param");
    const b = c.req.valid("json");
    await existingCustomer(c.env, id);
    const row = await assistants.insertAssistant(c.env.DB, id, {
      name: b.name, instructions: b.instructions, voice: b.voice ?? null, welcome_message: b.welcomeMessage ?? null, language: b.language ?? null,
    });
    return c.json(assistants.publicAssistant(row), 201);
  })
  .get("/customers/:id/assistants", validate("param", customerParam), async (c) => {
    const { id } = c.req.valid("param");
    await existingCustomer(c.env, id);
    return c.json({ items: (await assistants.listAssistants(c.env.DB, id)).map(assistants.publicAssistant) });
  })
  .patch("/customers/:id/assistants/:childId", validate("param", childParam), validate("json", assistantBody.partial()), async (c) => {
    const { id, childId } = c.req.valid("param");
    const b = c.req.valid("json");
    const row = await assistants.updateAssistant(c.env.DB, id, childId, {
      name: b.name, instructions: b.instructions, voice: b.voice, welcome_message: b.welcomeMessage, language: b.language,
    });
    if (!row) throw notFound(`Assistant ${childId} not found`);
    return c.json(assistants.publicAssistant(row));
  })
  // ── campaigns ──
  .post("/customers/:id/campaigns", validate("param", customerParam), validate("json", campaignBody), async (c) => {
    const { id } = c.req.valid("param");
    const b = c.req.valid("json");
    await existingCustomer(c.env, id);
    return c.json(campaigns.publicCampaign(await campaigns.insertCampaign(c.env.DB, id, b.name, b.survey ?? null)), 201);
  })
  .get("/customers/:id/campaigns", validate("param", customerParam), async (c) => {
    const { id } = c.req.valid("param");
    await existingCustomer(c.env, id);
    return c.json({ items: (await campaigns.listCampaigns(c.env.DB, id)).map(campaigns.publicCampaign) });
  })
  .patch("/customers/:id/campaigns/:childId", validate("param", childParam), validate("json", campaignPatch), async (c) => {
    const { id, childId } = c.req.valid("param");
    const row = await campaigns.updateCampaign(c.env.DB, id, childId, c.req.valid("json"));
    if (!row) throw notFound(`Campaign ${childId} not found`);
    return c.json(campaigns.publicCampaign(row));
  });
