import type { Env } from "../../env";
import { UpstreamError } from "../../lib/upstream";

export const DEFAULT_TELNYX_API_BASE_URL = "https://api.telnyx.com/v2";

/** Telnyx's REST base (v2): TELNYX_API_BASE_URL when set (tests point it at a loopback fake). */
export const telnyxBaseUrl = (env: Pick<Env, "TELNYX_API_BASE_URL">): string =>
  (env.TELNYX_API_BASE_URL || DEFAULT_TELNYX_API_BASE_URL).replace(/\/+$/, "");

/** One entry of Telnyx's error body `{errors: [{code, title, detail, source: {pointer}}]}`. */
export interface TelnyxErrorItem {
  code: string | null;
  title: string;
  detail: string | null;
  pointer: string | null;
}

/**
 * A Telnyx API failure as Telnyx reported it. An UpstreamError, so `onError` maps it like every outside
 * service's (src/lib/upstream.ts); `errors` keeps every item, `code` is the first one's (e.g. "90018", the call
 * has already ended).
 */
export class TelnyxApiError extends UpstreamError {
  constructor(
    status: number,
    readonly errors: TelnyxErrorItem[],
    fallback: string,
  ) {
    const first = errors[0];
    const message = first ? [first.title, first.detail].filter(Boolean).join(": ") : fallback;
    super("Telnyx", status, first?.code ?? null, message);
    this.name = "TelnyxApiError";
  }

  has(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

const text = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" ? String(v) : null);

/** Telnyx's error items, or none when the body is not Telnyx's error shape. */
export function telnyxErrorItems(body: string): TelnyxErrorItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const errors = (parsed as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((e: Record<string, unknown> | null) => ({
    code: text(e?.code),
    title: text(e?.title) ?? "Telnyx error",
    detail: text(e?.detail),
    pointer: text((e?.source as Record<string, unknown> | undefined)?.pointer),
  }));
}

export type JsonBody = Record<string, unknown>;

/** The Telnyx v2 API with one API key (Bearer), JSON both ways; an answer's `data` is what a call returns. */
export class TelnyxRest {
  constructor(
    private readonly apiKey: string,
    readonly baseUrl: string = DEFAULT_TELNYX_API_BASE_URL,
  ) {}

  async request<T>(method: "GET" | "POST" | "DELETE", path: string, body?: JsonBody): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.apiKey}`, Accept: "application/json" };
    if (body) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(this.baseUrl.replace(/\/+$/, "") + path, {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      throw new TelnyxApiError(0, [], `Telnyx unreachable (${e instanceof Error ? e.message : "network error"})`);
    }
    const raw = await res.text();
    if (!res.ok) throw new TelnyxApiError(res.status, telnyxErrorItems(raw), `HTTP ${res.status}`);
    try {
      return (JSON.parse(raw) as { data: T }).data;
    } catch {
      throw new TelnyxApiError(502, [], `Telnyx answered ${res.status} with a body that is not JSON`);
    }
  }

  /** POST /calls/{id}/actions/{action}: every call-control command; Telnyx answers `{data: {result: "ok"}}`. */
  action(callControlId: string, action: string, body: JsonBody = {}): Promise<{ result?: string }> {
    return this.request("POST", `/calls/${encodeURIComponent(callControlId)}/actions/${action}`, body);
  }
}
