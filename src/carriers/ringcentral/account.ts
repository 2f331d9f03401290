import { z } from "zod";
import { decryptSecret } from "../../auth/crypto";
import { getCarrierAccount, type CarrierAccountFields, type CarrierAccountRow } from "../../db/carrier-accounts";
import type { Env } from "../../env";
import { phoneNumber } from "../../lib/schemas";
import { AccountMerge } from "../account-merge";
import type { AccountCodec } from "../accounts";

/** What the tenant wants done with an inbound call that rings its RingCentral extension (docs/ringcentral.md). */
export const RINGCENTRAL_MODES = ["answer", "forward-to-ai"] as const;
export type RingCentralMode = (typeof RINGCENTRAL_MODES)[number];

/**
 * A tenant's RingCentral app and user, secrets in the clear: what every module of this carrier takes. How it is
 * stored (`carrier_accounts`, below) is this file's business only.
 */
export interface RingCentralAccount {
  customerId: number;
  clientId: string;
  clientSecret: string;
  /** The JWT credential of the RingCentral user whose calls we control (only a call's owner may control it). */
  jwt: string;
  mode: RingCentralMode;
  /** E.164 number of the tenant's AI line (a number with an assistant on Twilio or Telnyx); forward-to-ai needs it. */
  aiLine: string | null;
}

export type RingCentralCredentials = Pick<RingCentralAccount, "clientId" | "clientSecret" | "jwt">;

// ── storage: a `carrier_accounts` row of carrier `ringcentral` ──

const settingsShape = z.object({
  clientId: z.string(),
  mode: z.enum(RINGCENTRAL_MODES),
  aiLine: z.string().nullable().default(null),
});
const secretsShape = z.object({ clientSecret: z.string(), jwt: z.string() });

export async function ringcentralAccountOf(env: Env, row: CarrierAccountRow): Promise<RingCentralAccount> {
  const s = settingsShape.parse(JSON.parse(row.settings_json));
  const secrets = secretsShape.parse(JSON.parse(row.secrets_json));
  return {
    customerId: row.customer_id,
    clientId: s.clientId,
    clientSecret: await decryptSecret(env, secrets.clientSecret),
    jwt: await decryptSecret(env, secrets.jwt),
    mode: s.mode,
    aiLine: s.aiLine,
  };
}

export async function loadRingCentralAccount(env: Env, customerId: number): Promise<RingCentralAccount | null> {
  const row = await getCarrierAccount(env.DB, customerId, "ringcentral");
  return row ? ringcentralAccountOf(env, row) : null;
}

// ── provisioning: the admin API's `ringcentral` part (registered in src/carriers/accounts.ts) ──

export const ringcentralSettings = z.object({
  clientId: z.string().min(1).max(200),
  clientSecret: z.string().min(1).max(500),
  jwt: z.string().min(1).max(8192),
  mode: z.enum(RINGCENTRAL_MODES),
  aiLine: phoneNumber.nullable().optional(),
});
export type RingCentralSettingsInput = Partial<z.infer<typeof ringcentralSettings>>;

/** The account's row from the admin API's fields, merged over what is stored; secrets encrypted here. */
async function ringcentralAccountFields(
  env: Env,
  input: RingCentralSettingsInput,
  row: CarrierAccountRow | null,
): Promise<Omit<CarrierAccountFields, "customerId">> {
  const stored = row ? settingsShape.parse(JSON.parse(row.settings_json)) : null;
  const storedSecrets = row ? secretsShape.parse(JSON.parse(row.secrets_json)) : null;
  const m = new AccountMerge(env, "ringcentral", "RingCentral");
  const mode = m.need(input.mode ?? stored?.mode, "mode");
  const aiLine = input.aiLine === undefined ? (stored?.aiLine ?? null) : input.aiLine;
  const fields = {
    carrier: "ringcentral",
    // Several tenants may share one RingCentral app (a public app), each with its own user: no unique ref.
    accountRef: null,
    settings: { clientId: m.need(input.clientId ?? stored?.clientId, "clientId"), mode, aiLine },
    secrets: {
      clientSecret: await m.secret(input.clientSecret, storedSecrets?.clientSecret, "clientSecret"),
      jwt: await m.secret(input.jwt, storedSecrets?.jwt, "jwt"),
    },
  };
  m.check();
  return fields;
}

/** The account as the API shows it: no secret, only that one is set. */
export function publicRingCentralAccount(row: CarrierAccountRow) {
  const s = settingsShape.parse(JSON.parse(row.settings_json));
  return { clientId: s.clientId, mode: s.mode, aiLine: s.aiLine, hasClientSecret: true, hasJwt: true };
}

export const ringcentralAccountCodec: AccountCodec = {
  carrier: "ringcentral",
  create: ringcentralSettings,
  patch: ringcentralSettings.partial(),
  fields: (env, input, row) => ringcentralAccountFields(env, input as RingCentralSettingsInput, row),
  view: publicRingCentralAccount,
  duplicateRef: "Another customer already uses this RingCentral account",
};
