import type { CustomerRow } from "../db/customers";
import { getCustomer, listCustomers } from "../db/customers";
import { listPhoneNumbers } from "../db/phone-numbers";
import type { Env } from "../env";
import { notFound } from "../lib/errors";
import { openaiApiKey } from "../ai/openai";
import { loadTwilioAccount, twilioApiKeySecret, type TwilioAccount } from "../carriers/twilio/account";
import { type Check, errorText, fail, guarded, pass } from "./check";
import { openaiCheck } from "./openai";
import { type TwilioCredentials, twilioChecks } from "./twilio";

/** `?tenants=all` checks this many tenants per request (each costs up to three subrequests); `offset` pages on. */
export const TENANTS_PER_REPORT = 20;

export type TenantScope = { customerId: number } | { all: true; offset: number };

export async function tenantChecks(env: Env, origin: string, scope: TenantScope): Promise<Check[]> {
  if ("customerId" in scope) {
    const customer = await getCustomer(env.DB, scope.customerId);
    if (!customer) throw notFound(`Customer ${scope.customerId} not found`);
    return oneTenant(env, origin, customer);
  }
  const page = await listCustomers(env.DB, TENANTS_PER_REPORT + 1, scope.offset, "oldest");
  const out: Check[] = [];
  // One tenant after another: each already runs its Twilio and OpenAI probes side by side.
  for (const customer of page.slice(0, TENANTS_PER_REPORT)) out.push(...(await oneTenant(env, origin, customer)));
  if (page.length > TENANTS_PER_REPORT) {
    const next = scope.offset + TENANTS_PER_REPORT;
    out.push({
      name: "tenants",
      ok: true,
      detail: `more tenants than ${TENANTS_PER_REPORT}: next page ?tenants=all&offset=${next}`,
    });
  }
  return out;
}

/**
 * The tenant's Twilio account as plain values; everything after it takes those. Decryption fails when
 * ENCRYPTION_KEY is not the key the secrets were stored with.
 */
async function twilioCredentialsOf(env: Env, a: TwilioAccount): Promise<TwilioCredentials> {
  return {
    accountSid: a.accountSid,
    apiKeySid: a.apiKeySid,
    apiKeySecret: await twilioApiKeySecret(env, a),
    region: a.region,
    edge: a.edge,
  };
}

async function oneTenant(env: Env, origin: string, c: CustomerRow): Promise<Check[]> {
  const prefix = `tenant.${c.id}.`;
  const patchHint = `PATCH /api/admin/customers/${c.id}`;
  const unreadable = (e: unknown) =>
    `a stored secret of "${c.name}" cannot be decrypted (${errorText(e)}): ENCRYPTION_KEY is not the key it was stored with`;
  const reenter = `Restore the ENCRYPTION_KEY it was stored with, or re-enter the secret with ${patchHint}`;
  const assistantNumbers = (await listPhoneNumbers(env.DB, c.id))
    .filter((n) => n.assistant_id !== null)
    .map((n) => n.number);

  const twilio = guarded("twilio.credentials", reenter, async () => {
    const account = await loadTwilioAccount(env.DB, c.id);
    // A tenant on other carriers only: nothing of Twilio's to check.
    if (!account) return [pass("twilio.account", "no Twilio account is configured for this tenant")];
    let creds: TwilioCredentials;
    try {
      creds = await twilioCredentialsOf(env, account);
    } catch (e) {
      return [fail("twilio.credentials", unreadable(e), reenter)];
    }
    return twilioChecks(env, creds, { origin, twimlAppSid: account.twimlAppSid, assistantNumbers });
  });
  const openai = guarded("openai.key", reenter, async () => {
    let apiKey: string | null;
    try {
      apiKey = await openaiApiKey(env, c);
    } catch (e) {
      return [fail("openai.key", unreadable(e), reenter)];
    }
    const settings = {
      apiKey,
      realtimeModel: c.openai_realtime_model,
      transcriptionModel: c.openai_transcription_model,
      transcriptionActive: c.openai_transcription_active === 1,
      keyNeeded: assistantNumbers.length > 0,
    };
    return [await openaiCheck(env, settings, patchHint)];
  });
  const lines = (await Promise.all([twilio, openai])).flat();
  return lines.map((l) => ({ ...l, name: prefix + l.name }));
}
