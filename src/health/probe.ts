/** How long a health check waits for an outside service before reporting it unreachable. */
export const PROBE_TIMEOUT_MS = 8_000;

export type Probe = { reached: true; status: number; body: unknown } | { reached: false; reason: string };

/**
 * GET a JSON resource of an outside service (Twilio, OpenAI, a JWKS) with a deadline: the report must answer
 * even when a service does not. Never throws; a non-JSON body is `null`.
 */
export async function probeJson(url: string, headers: Record<string, string> = {}): Promise<Probe> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { Accept: "application/json", ...headers },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
    return {
      reached: false,
      reason: timedOut ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : e instanceof Error ? e.message : String(e),
    };
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { reached: true, status: res.status, body };
}

/** The error message a service put in its body: Twilio's `{message}` or OpenAI's `{error: {message}}`. */
export function upstreamMessage(body: unknown, fallback: string): string {
  if (body && typeof body === "object") {
    const b = body as { message?: unknown; error?: { message?: unknown } };
    if (typeof b.message === "string") return b.message.slice(0, 300);
    if (typeof b.error?.message === "string") return b.error.message.slice(0, 300);
  }
  return fallback;
}

/** Where a probe went, without path or query (which may carry a token). */
export const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return "(not a URL)";
  }
};
