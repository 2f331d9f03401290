import type { Env } from "../../env";
import type { CustomerRow } from "../../db/customers";
import { ApiError } from "../../lib/errors";
import { twilioApiKeySecret } from "../../lib/tenant";

/** Twilio's REST host for the tenant: `api.{edge}.{region}.twilio.com`, or US1, unless TWILIO_API_BASE_URL overrides it. */
export function twilioBaseUrl(env: Env, c: Pick<CustomerRow, "twilio_region" | "twilio_edge">): string {
  if (env.TWILIO_API_BASE_URL) return env.TWILIO_API_BASE_URL.replace(/\/+$/, "");
  if (c.twilio_region && c.twilio_region !== "us1") return `https://api.${c.twilio_edge ?? "dublin"}.${c.twilio_region}.twilio.com`;
  return "https://api.twilio.com";
}

/** A Twilio REST error as Twilio reports it: `{code, message, more_info, status}`. */
export class TwilioApiError extends Error {
  constructor(readonly httpStatus: number, readonly code: number | null, message: string) {
    super(message);
    this.name = "TwilioApiError";
  }
}

/**
 * Maps a Twilio failure to our API: the caller's mistakes (an invalid or unreachable number, a number not
 * owned by the account) are 400s naming Twilio's code; authentication trouble and Twilio's own faults are 502s.
 */
export function toApiError(e: TwilioApiError): ApiError {
  const details = { twilioCode: e.code, twilioStatus: e.httpStatus };
  if (e.httpStatus === 400 || e.httpStatus === 404 || e.httpStatus === 422) {
    return new ApiError(400, `Twilio rejected the request: ${e.message}`, details);
  }
  return new ApiError(502, `Twilio error: ${e.message}`, details);
}

export type FormValue = string | string[] | undefined;

export class TwilioRest {
  constructor(
    readonly baseUrl: string,
    readonly accountSid: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  static async forCustomer(env: Env, c: CustomerRow): Promise<TwilioRest> {
    return new TwilioRest(twilioBaseUrl(env, c), c.twilio_account_sid, c.twilio_api_key_sid, await twilioApiKeySecret(env, c));
  }

  authHeader(): string {
    return `Basic ${btoa(`${this.username}:${this.password}`)}`;
  }

  accountPath(rest: string): string {
    return `/2010-04-01/Accounts/${encodeURIComponent(this.accountSid)}${rest}`;
  }

  /** Form-encoded request, JSON answer; Twilio's error body becomes a TwilioApiError. */
  async request<T>(method: "GET" | "POST" | "DELETE", path: string, form?: Record<string, FormValue>): Promise<T> {
    const init: RequestInit = { method, headers: { Authorization: this.authHeader(), Accept: "application/json" } };
    if (form) {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(form)) {
        if (v === undefined) continue;
        for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
      }
      init.body = body;
      init.headers = { ...init.headers, "Content-Type": "application/x-www-form-urlencoded" };
    }
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, init);
    } catch (e) {
      throw new TwilioApiError(503, null, `Twilio unreachable (${e instanceof Error ? e.message : "network error"})`);
    }
    const text = await res.text();
    if (!res.ok) {
      let code: number | null = null;
      let message = `HTTP ${res.status}`;
      try {
        const j = JSON.parse(text) as { code?: number; message?: string };
        code = j.code ?? null;
        message = j.message ?? message;
      } catch {
        /* non-JSON error body: keep the status line */
      }
      throw new TwilioApiError(res.status, code, message);
    }
    return JSON.parse(text) as T;
  }

  sendSms(to: string, from: string, body: string) {
    return this.request<{ sid: string; status: string }>("POST", this.accountPath("/Messages.json"), { To: to, From: from, Body: body });
  }
}
