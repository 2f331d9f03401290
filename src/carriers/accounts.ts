import type { ZodType } from "zod";
import type { CarrierAccountFields, CarrierAccountRow } from "../db/carrier-accounts";
import type { Env } from "../env";
import { ringcentralAccountCodec } from "./ringcentral/account";
import { telnyxAccountCodec } from "./telnyx/account";
import { twilioAccountCodec } from "./twilio/account";

/**
 * How the admin API provisions a tenant's account at one carrier: the field `{carrier}` of a customer's
 * body (its schema on create and on PATCH), the row it becomes (secrets encrypted, merged over the stored one)
 * and how the account is shown (never a secret).
 */
export interface AccountCodec {
  carrier: string;
  create: ZodType;
  patch: ZodType;
  fields(env: Env, input: unknown, stored: CarrierAccountRow | null): Promise<Omit<CarrierAccountFields, "customerId">>;
  view(row: CarrierAccountRow): Record<string, unknown>;
  /**
   * The 409 when another tenant already holds the same carrier account; absent for a carrier whose account several
   * tenants may share (Twilio: migrations/0013_shared_twilio_accounts.sql).
   */
  duplicateRef?: string;
}

/** Every carrier a tenant can be provisioned on, in the order the admin API shows them. */
export const accountCodecs: readonly AccountCodec[] = [twilioAccountCodec, telnyxAccountCodec, ringcentralAccountCodec];
