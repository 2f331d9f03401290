import { UpstreamError } from "../lib/upstream";

/** OpenAI's error answer (`{error: {message, type, param, code}}`) as an UpstreamError, for `onError` to map. */
export async function openaiError(res: Response, what: string): Promise<UpstreamError> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: unknown; code?: unknown } } | null;
  const message = typeof body?.error?.message === "string" ? body.error.message : `HTTP ${res.status}`;
  return new UpstreamError(
    "OpenAI",
    res.status,
    typeof body?.error?.code === "string" ? body.error.code : null,
    message,
    what,
  );
}
