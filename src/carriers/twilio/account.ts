import { z } from "zod";
import { decryptSecret } from "../../auth/crypto";
import { getCarrierAccount, type CarrierAccountFields, type CarrierAccountRow } from "../../db/carrier-accounts";
import type { Env } from "../../env";
import { AccountMerge } from "../account-merge";
import type { AccountCodec } from "../accounts";
import { twilioSid } from "./sids";

/** A tenant's Twilio account: `carrier_accounts` row of carrier `twilio`, account_ref = the AccountSid. */
export interface TwilioAccount {
  customerId: number;
  accountSid: string;
  apiKeySid: string;
  twimlAppSid: string;
  /** Further TwiML apps of the account a voice token may name as twimlAppSidOverride. */
  extraTwimlAppSids: string[];
  region: string | null;
  edge: string | null;
  authTokenEnc: string;
  apiKeySecretEnc: string;
}

const settingsShape = z.object({
  apiKeySid: z.string(),
  twimlAppSid: z.string(),
  extraTwimlAppSids: z.array(z.string()).default([]),
  region: z.string().nullable().default(null),
  edge: z.string().nullable().default(null),
});
const secretsShape = z.object({ authToken: z.string(), apiKeySecret: z.string() });

export function twilioAccountOf(row: CarrierAccountRow): TwilioAccount {
  const s = settingsShape.parse(JSON.parse(row.settings_json));
  const secrets = secretsShape.parse(JSON.parse(row.secrets_json));
  return {
    customerId: row.customer_id,
    accountSid: row.account_ref ?? "",
    ...s,
    authTokenEnc: secrets.authToken,
    apiKeySecretEnc: secrets.apiKeySecret,
  };
}

export async function loadTwilioAccount(db: D1Database, customerId: number): Promise<TwilioAccount | null> {
  const row = await getCarrierAccount(db, customerId, "twilio");
  return row ? twilioAccountOf(row) : null;
}

export const twilioAuthToken = (env: Env, a: TwilioAccount) => decryptSecret(env, a.authTokenEnc);
export const twilioApiKeySecret = (env: Env, a: TwilioAccount) => decryptSecret(env, a.apiKeySecretEnc);

/** Whether a TwiML app SID is the tenant's: its main app or one registered as extra. */
export const ownsTwimlApp = (a: TwilioAccount, appSid: string) =>
  a.twimlAppSid === appSid || a.extraTwimlAppSids.includes(appSid);

// ── provisioning (the admin API's `twilio` part) ──

export const twilioSettings = z.object({
  accountSid: twilioSid("AC"),
  authToken: z.string().min(1),
  apiKeySid: twilioSid("SK"),
  apiKeySecret: z.string().min(1),
  twimlAppSid: twilioSid("AP"),
  /** Further TwiML apps of this account that a voice token may name as twimlAppSidOverride. */
  extraTwimlAppSids: z.array(twilioSid("AP")).max(50).optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}\d$/, "a Twilio region such as us1, ie1, au1")
    .optional(),
  edge: z
    .string()
    .regex(/^[a-z-]+$/, "a Twilio edge such as dublin, sydney, ashburn")
    .optional(),
});
export type TwilioSettingsInput = Partial<z.infer<typeof twilioSettings>>;

/** The account's row from the admin API's fields, merged over what is stored; secrets encrypted here. */
async function twilioAccountFields(
  env: Env,
  input: TwilioSettingsInput,
  row: CarrierAccountRow | null,
): Promise<Omit<CarrierAccountFields, "customerId">> {
  const stored = row ? twilioAccountOf(row) : null;
  const m = new AccountMerge(env, "twilio", "Twilio");
  const fields = {
    carrier: "twilio",
    accountRef: m.need(input.accountSid ?? stored?.accountSid, "accountSid"),
    settings: {
      apiKeySid: m.need(input.apiKeySid ?? stored?.apiKeySid, "apiKeySid"),
      twimlAppSid: m.need(input.twimlAppSid ?? stored?.twimlAppSid, "twimlAppSid"),
      extraTwimlAppSids: input.extraTwimlAppSids
        ? [...new Set(input.extraTwimlAppSids)]
        : (stored?.extraTwimlAppSids ?? []),
      region: input.region ?? stored?.region ?? null,
      edge: input.edge ?? stored?.edge ?? null,
    },
    secrets: {
      authToken: await m.secret(input.authToken, stored?.authTokenEnc, "authToken"),
      apiKeySecret: await m.secret(input.apiKeySecret, stored?.apiKeySecretEnc, "apiKeySecret"),
    },
  };
  m.check();
  return fields;
}

/** The account as the API shows it: no secret, only that one is set. */
export const publicTwilioAccount = (a: TwilioAccount) => ({
  accountSid: a.accountSid,
  apiKeySid: a.apiKeySid,
  twimlAppSid: a.twimlAppSid,
  extraTwimlAppSids: a.extraTwimlAppSids,
  region: a.region,
  edge: a.edge,
  hasAuthToken: true,
  hasApiKeySecret: true,
});

export const twilioAccountCodec: AccountCodec = {
  carrier: "twilio",
  create: twilioSettings,
  patch: twilioSettings.partial(),
  fields: (env, input, row) => twilioAccountFields(env, input as TwilioSettingsInput, row),
  view: (row) => publicTwilioAccount(twilioAccountOf(row)),
};
