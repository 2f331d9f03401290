import { ApiError } from "../lib/errors";

/**
 * Maps an OpenAI error answer (`{error:{message,type,param,code}}`) to our error: what the caller sent wrong
 * stays a 4xx with OpenAI's message; the tenant's key being refused or OpenAI failing is a 502 (not the
 * caller's fault, and not their credentials); rate limits pass through as 429.
 */
export async function openaiErrorToApi(res: Response, what: string): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: unknown; code?: unknown; type?: unknown } } | null;
  const message = typeof body?.error?.message === "string" ? body.error.message.slice(0, 500) : `HTTP ${res.status}`;
  const details = { upstreamStatus: res.status, upstreamCode: typeof body?.error?.code === "string" ? body.error.code : null };
  if (res.status === 401 || res.status === 403) return new ApiError(502, `OpenAI refused this customer's API key for ${what}: ${message}`, details);
  if (res.status === 429) return new ApiError(429, `OpenAI rate limit for ${what}: ${message}`, details);
  if (res.status === 413) return new ApiError(413, `OpenAI refused the ${what} as too large: ${message}`, details);
  if (res.status >= 400 && res.status < 500) return new ApiError(res.status === 404 ? 422 : 400, `OpenAI refused the ${what}: ${message}`, details);
  return new ApiError(502, `OpenAI failed the ${what}: ${message}`, details);
}
