import { UpstreamError } from "../../lib/upstream";

/** RingCentral's error bodies, both shapes (docs/ringcentral.md, "Errors"): the API's and the OAuth endpoint's. */
interface ErrorBody {
  errorCode?: unknown;
  message?: unknown;
  error?: unknown;
  error_description?: unknown;
  errors?: { errorCode?: unknown; message?: unknown }[];
}

const str = (v: unknown): string | null => (typeof v === "string" && v ? v : null);

/** The error a failed RingCentral response means: its status, its `errorCode` and message when it gave them. */
export function ringcentralError(status: number, bodyText: string, what: string): UpstreamError {
  let body: ErrorBody = {};
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed && typeof parsed === "object") body = parsed as ErrorBody;
  } catch {
    // not JSON: the status line is all we have
  }
  const first = Array.isArray(body.errors) ? body.errors[0] : undefined;
  const code = str(body.errorCode) ?? str(first?.errorCode) ?? str(body.error);
  const message = str(body.message) ?? str(first?.message) ?? str(body.error_description) ?? `HTTP ${status}`;
  return new UpstreamError("RingCentral", status, code, message, what);
}

export const unreachable = (e: unknown, what: string) =>
  new UpstreamError("RingCentral", 0, null, e instanceof Error ? e.message : "network error", what);

/** One line of structured log; never a secret or a token (callers pass ids and statuses only). */
export function logRingCentral(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown>) {
  const line = JSON.stringify({ level, carrier: "ringcentral", msg, ...fields });
  if (level === "info") console.log(line);
  else console.error(line);
}

/** What an upstream failure looks like in a log line. */
export const failureFields = (e: unknown) =>
  e instanceof UpstreamError
    ? { upstreamStatus: e.status, upstreamCode: e.code, error: e.message }
    : { error: e instanceof Error ? e.message : String(e) };
