import OpenAI from "openai";
import type { CustomerRow } from "../db/customers";
import type { Env } from "../env";
import { ApiError } from "../lib/errors";
import { decryptSecret } from "../auth/crypto";

export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";

/** The tenant's OpenAI key, or null when none is configured. */
export const openaiApiKey = async (env: Env, c: CustomerRow): Promise<string | null> =>
  c.openai_api_key_enc ? decryptSecret(env, c.openai_api_key_enc) : null;

export const openaiBaseUrl = (env: Env): string => (env.OPENAI_BASE_URL || DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, "");

export interface TenantOpenAI {
  apiKey: string;
  baseUrl: string;
  client: OpenAI;
}

/** The tenant's OpenAI access, or null when the tenant has no key (callers decide whether that is an error or a skip). */
export async function tenantOpenAI(env: Env, customer: CustomerRow): Promise<TenantOpenAI | null> {
  const apiKey = await openaiApiKey(env, customer);
  if (!apiKey) return null;
  const baseUrl = openaiBaseUrl(env);
  return { apiKey, baseUrl, client: new OpenAI({ apiKey, baseURL: baseUrl, maxRetries: 1, timeout: 120_000 }) };
}

/** Like `tenantOpenAI`, for endpoints that cannot work without a key: a clear 4xx instead. */
export async function requireTenantOpenAI(env: Env, customer: CustomerRow): Promise<TenantOpenAI> {
  const ai = await tenantOpenAI(env, customer);
  if (!ai) throw new ApiError(409, "This customer has no OpenAI API key configured");
  return ai;
}
