import { ApiError } from "./errors";

/**
 * A request to an outside service (Twilio, OpenAI, a carrier) that failed, as the service reported it. Thrown by
 * the service's client; `onError` answers it through `upstreamToApi`, so every route maps it the same way.
 */
export class UpstreamError extends Error {
  constructor(
    /** Its name as users know it: "Twilio", "OpenAI", "Telnyx", "RingCentral". */
    readonly service: string,
    /** The HTTP status it answered; 0 when it could not be reached. */
    readonly status: number,
    /** Its own error code, when it gave one. */
    readonly code: string | number | null,
    message: string,
    /** What we asked it for, in words: "request", "transcription", "realtime call". */
    readonly what = "request",
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}

/**
 * The status we answer when the service rate-limits the tenant's account. Twilio's is 503 with Retry-After
 * (docs/twilio.md: the account, not the caller, is throttled); the others pass 429 through.
 */
const RATE_LIMITED: Record<string, 429 | 503> = { Twilio: 503 };

/**
 * The one mapping of upstream failures: what the caller sent wrong stays a 4xx with the service's own message;
 * the tenant's credentials refused, the service failing or unreachable is a 502 (not the caller's fault);
 * rate limits are 429 (503 for Twilio). The body names the service's status and code.
 */
export function upstreamToApi(e: UpstreamError): ApiError {
  const { service, status, what } = e;
  const details: Record<string, unknown> = { upstreamStatus: status, upstreamCode: e.code };
  // docs/twilio.md documents these names for Twilio's failures.
  if (service === "Twilio") Object.assign(details, { twilioCode: e.code, twilioStatus: status });
  const msg = e.message.slice(0, 500);
  if (status === 0) return new ApiError(502, `Could not reach ${service} for the ${what}: ${msg}`, details);
  if (status === 401 || status === 403)
    return new ApiError(502, `${service} refused this customer's API key for the ${what}: ${msg}`, details);
  if (status === 429)
    return new ApiError(
      RATE_LIMITED[service] ?? 429,
      `${service} is rate limiting this customer (${what}): ${msg}`,
      details,
      { "Retry-After": "1" },
    );
  if (status === 413) return new ApiError(413, `${service} refused the ${what} as too large: ${msg}`, details);
  if (status >= 400 && status < 500) return new ApiError(400, `${service} rejected the ${what}: ${msg}`, details);
  return new ApiError(502, `${service} failed the ${what}: ${msg}`, details);
}
