import type { Env } from "../env";
import { decryptSecret } from "../auth/crypto";
import { getCustomer, type CustomerRow } from "../db/customers";
import { ApiError } from "./errors";

export async function loadCustomer(env: Env, customerId: number): Promise<CustomerRow> {
  const c = await getCustomer(env.DB, customerId);
  if (!c) throw new ApiError(404, "Customer not found");
  return c;
}

export const twilioAuthToken = (env: Env, c: CustomerRow) => decryptSecret(env, c.twilio_auth_token_enc);
export const twilioApiKeySecret = (env: Env, c: CustomerRow) => decryptSecret(env, c.twilio_api_key_secret_enc);

/** The tenant's OpenAI key, or null when none is configured. */
export const openaiApiKey = async (env: Env, c: CustomerRow): Promise<string | null> =>
  c.openai_api_key_enc ? decryptSecret(env, c.openai_api_key_enc) : null;
