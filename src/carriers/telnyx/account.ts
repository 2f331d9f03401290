import { z } from "zod";
import { decryptSecret } from "../../auth/crypto";
import {
  findCarrierAccountByRef,
  getCarrierAccount,
  type CarrierAccountFields,
  type CarrierAccountRow,
} from "../../db/carrier-accounts";
import type { Env } from "../../env";
import { AccountMerge } from "../account-merge";
import type { AccountCodec } from "../accounts";
import { telnyxPublicKey } from "./signature";

/**
 * A tenant's Telnyx account: a `carrier_accounts` row of carrier `telnyx`, account_ref = the Call Control
 * application's id (`connection_id` in every webhook, which is how a webhook finds its tenant). The public key
 * is public (it only verifies); the API key is a secret, encrypted at rest (docs/telnyx.md, "Mission Control").
 */
export interface TelnyxAccount {
  customerId: number;
  connectionId: string;
  /** Canonical form: base64 of the 32 raw Ed25519 key bytes. */
  publicKey: string;
  apiKeyEnc: string;
}

const settingsShape = z.object({ connectionId: z.string(), publicKey: z.string() });
const secretsShape = z.object({ apiKey: z.string() });

export function telnyxAccountOf(row: CarrierAccountRow): TelnyxAccount {
  const s = settingsShape.parse(JSON.parse(row.settings_json));
  const secrets = secretsShape.parse(JSON.parse(row.secrets_json));
  return {
    customerId: row.customer_id,
    connectionId: s.connectionId,
    publicKey: s.publicKey,
    apiKeyEnc: secrets.apiKey,
  };
}

export async function loadTelnyxAccount(db: D1Database, customerId: number): Promise<TelnyxAccount | null> {
  const row = await getCarrierAccount(db, customerId, "telnyx");
  return row ? telnyxAccountOf(row) : null;
}

/** The account whose Call Control application a webhook names, whoever's it is. */
export async function telnyxAccountByConnection(db: D1Database, connectionId: string): Promise<TelnyxAccount | null> {
  const row = await findCarrierAccountByRef(db, "telnyx", connectionId);
  return row ? telnyxAccountOf(row) : null;
}

export const telnyxApiKey = (env: Env, a: TelnyxAccount) => decryptSecret(env, a.apiKeyEnc);

// ── provisioning (the admin API's `telnyx` part) ──

export const telnyxSettings = z.object({
  apiKey: z.string().min(1).max(500),
  publicKey: telnyxPublicKey,
  connectionId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, "the Call Control application id from Mission Control (letters, digits, - and _)"),
});
type TelnyxSettingsInput = Partial<z.output<typeof telnyxSettings>>;

async function telnyxAccountFields(
  env: Env,
  input: TelnyxSettingsInput,
  row: CarrierAccountRow | null,
): Promise<Omit<CarrierAccountFields, "customerId">> {
  const stored = row ? telnyxAccountOf(row) : null;
  const m = new AccountMerge(env, "telnyx", "Telnyx");
  const connectionId = m.need(input.connectionId ?? stored?.connectionId, "connectionId");
  const fields = {
    carrier: "telnyx",
    accountRef: connectionId,
    settings: { connectionId, publicKey: m.need(input.publicKey ?? stored?.publicKey, "publicKey") },
    secrets: { apiKey: await m.secret(input.apiKey, stored?.apiKeyEnc, "apiKey") },
  };
  m.check();
  return fields;
}

/** The account as the API shows it: the public key and connection, never the API key. */
export const publicTelnyxAccount = (a: TelnyxAccount) => ({
  connectionId: a.connectionId,
  publicKey: a.publicKey,
  hasApiKey: true,
});

export const telnyxAccountCodec: AccountCodec = {
  carrier: "telnyx",
  create: telnyxSettings,
  patch: telnyxSettings.partial(),
  fields: (env, input, row) => telnyxAccountFields(env, input as TelnyxSettingsInput, row),
  view: (row) => publicTelnyxAccount(telnyxAccountOf(row)),
  duplicateRef: "Another customer already uses this Telnyx connection",
};
