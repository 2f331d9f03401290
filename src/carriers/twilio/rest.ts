import { z } from "zod";
import type { Env } from "../../env";
import { ApiError } from "../../lib/errors";
import { UpstreamError } from "../../lib/upstream";
import { loadTwilioAccount, twilioApiKeySecret, type TwilioAccount } from "./account";
import { ownRecordingWavUrl } from "./recording-url";
import { twilioApiOrigin } from "./region";

/**
 * Twilio's REST host for the tenant: `api.{edge}.{region}.twilio.com` (the region's default edge when none is set,
 * src/carriers/twilio/region.ts), or US1, unless TWILIO_API_BASE_URL overrides it.
 */
export function twilioBaseUrl(env: Env, a: Pick<TwilioAccount, "region" | "edge">): string {
  if (env.TWILIO_API_BASE_URL) return env.TWILIO_API_BASE_URL.replace(/\/+$/, "");
  return twilioApiOrigin(a);
}

/** Twilio's error body `{code, message}` when it is one, else the status line. */
function errorOf(status: number, body: string, fallback: string): UpstreamError {
  try {
    const j = JSON.parse(body) as { code?: number; message?: string };
    return new UpstreamError("Twilio", status, j.code ?? null, j.message ?? fallback);
  } catch {
    return new UpstreamError("Twilio", status, null, fallback);
  }
}

const unreachable = (e: unknown) =>
  new UpstreamError("Twilio", 0, null, e instanceof Error ? e.message : "network error");

export type FormValue = string | string[] | undefined;

/** Twilio's Call resource (snake_case JSON), the fields we read. */
export interface TwilioCall {
  sid: string;
  account_sid: string;
  parent_call_sid: string | null;
  to: string;
  from: string;
  status: string;
  direction: string;
  start_time: string | null;
  end_time: string | null;
  duration: string | null;
}

/** What a Call resource must carry for us to act on it; the rest of TwilioCall is read when present. */
const callShape = z.looseObject({ sid: z.string().min(1), status: z.string().min(1) });
/** A call just created is known by its SID; without a status it is `queued`, Twilio's first (callbacks follow). */
const createdCallShape = z.looseObject({ sid: z.string().min(1), status: z.string().min(1).nullish() });
const callPage = z.looseObject({ calls: z.array(callShape) });

export interface CreateCallParams {
  to: string;
  from: string;
  /** The webhook Twilio requests for TwiML once the call is answered, or the TwiML itself. */
  url?: string;
  twiml?: string;
  statusCallback?: string;
  statusCallbackEvents?: string[];
  timeoutSeconds?: number;
  /** Answering-machine detection (`Enable`, or `DetectMessageEnd` to wait for a greeting's end), run in the background. */
  machineDetection?: "Enable" | "DetectMessageEnd";
  /** Where the background detection posts its verdict (AnsweredBy); required with `machineDetection`. */
  asyncAmdStatusCallback?: string;
}

export class TwilioRest {
  constructor(
    readonly baseUrl: string,
    readonly accountSid: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  static async forAccount(env: Env, a: TwilioAccount): Promise<TwilioRest> {
    return new TwilioRest(twilioBaseUrl(env, a), a.accountSid, a.apiKeySid, await twilioApiKeySecret(env, a));
  }

  /** The tenant's Twilio REST client; a tenant without a Twilio account is a 409. */
  static async forCustomer(env: Env, customerId: number): Promise<TwilioRest> {
    const account = await loadTwilioAccount(env.DB, customerId);
    if (!account) throw new ApiError(409, "This customer has no Twilio account configured");
    return TwilioRest.forAccount(env, account);
  }

  authHeader(): string {
    return `Basic ${btoa(`${this.username}:${this.password}`)}`;
  }

  accountPath(rest: string): string {
    return `/2010-04-01/Accounts/${encodeURIComponent(this.accountSid)}${rest}`;
  }

  /** Form-encoded request; a non-2xx answer becomes an UpstreamError (Twilio's error body when it is one). */
  private async exchange(
    method: "GET" | "POST" | "DELETE",
    path: string,
    form?: Record<string, FormValue>,
  ): Promise<{ status: number; text: string }> {
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
      throw unreachable(e);
    }
    const text = await res.text().catch(() => "");
    if (!res.ok) throw errorOf(res.status, text, `HTTP ${res.status}`);
    return { status: res.status, text };
  }

  /** A request whose answer we do not read: any 2xx is success, whatever its body (empty, not JSON, …). */
  async send(method: "GET" | "POST" | "DELETE", path: string, form?: Record<string, FormValue>): Promise<void> {
    await this.exchange(method, path, form);
  }

  /**
   * A request whose answer we read: a 2xx must carry JSON of the given shape. One that does not (empty, not JSON,
   * fields missing) is Twilio failing the request — an UpstreamError with its 2xx status, which the one mapping
   * (src/lib/upstream.ts) answers 502, never a 500.
   */
  async request<T>(
    method: "GET" | "POST" | "DELETE",
    path: string,
    shape: z.ZodType,
    form?: Record<string, FormValue>,
  ): Promise<T> {
    const { status, text } = await this.exchange(method, path, form);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new UpstreamError(
        "Twilio",
        status,
        null,
        `HTTP ${status} with ${text ? "a body that is not JSON" : "an empty body"}`,
      );
    }
    const parsed = shape.safeParse(body);
    if (!parsed.success)
      throw new UpstreamError(
        "Twilio",
        status,
        null,
        `HTTP ${status} without the expected fields (${parsed.error.issues.map((i) => i.path.join(".") || "body").join(", ")})`,
      );
    return body as T;
  }

  async createCall(p: CreateCallParams): Promise<TwilioCall> {
    const call = await this.request<TwilioCall>("POST", this.accountPath("/Calls.json"), createdCallShape, {
      To: p.to,
      From: p.from,
      Url: p.url,
      Method: p.url ? "POST" : undefined,
      Twiml: p.twiml,
      StatusCallback: p.statusCallback,
      StatusCallbackMethod: p.statusCallback ? "POST" : undefined,
      StatusCallbackEvent: p.statusCallback ? p.statusCallbackEvents : undefined,
      Timeout: p.timeoutSeconds === undefined ? undefined : String(p.timeoutSeconds),
      MachineDetection: p.machineDetection,
      AsyncAmd: p.machineDetection ? "true" : undefined,
      AsyncAmdStatusCallback: p.machineDetection ? p.asyncAmdStatusCallback : undefined,
      AsyncAmdStatusCallbackMethod: p.machineDetection ? "POST" : undefined,
    });
    return { ...call, status: call.status || "queued" };
  }

  fetchCall(callSid: string) {
    return this.request<TwilioCall>("GET", this.accountPath(`/Calls/${encodeURIComponent(callSid)}.json`), callShape);
  }

  /** Lists calls (newest first), e.g. the child legs a `<Dial>` created under a parent call. */
  async listCalls(filter: { ParentCallSid?: string; Status?: string; PageSize?: number }): Promise<TwilioCall[]> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
    const page = await this.request<{ calls: TwilioCall[] }>("GET", this.accountPath(`/Calls.json?${q}`), callPage);
    return page.calls;
  }

  /** Modifies a call in progress: new `Twiml` (Twilio stops its media stream and runs it), or `Status` to hang up. */
  updateCall(callSid: string, p: { Twiml?: string; Status?: "completed" | "canceled" }): Promise<void> {
    return this.send("POST", this.accountPath(`/Calls/${encodeURIComponent(callSid)}.json`), p);
  }

  /** Deletes Twilio's copy of one of this account's recordings; one already gone (404) counts as deleted. */
  async deleteRecording(recordingSid: string): Promise<void> {
    try {
      await this.send("DELETE", this.accountPath(`/Recordings/${encodeURIComponent(recordingSid)}.json`));
    } catch (e) {
      if (!(e instanceof UpstreamError && e.status === 404)) throw e;
    }
  }

  /** Where a recording's WAV media is fetched from: its RecordingUrl when that is ours (ownRecordingWavUrl), else built from the SIDs. */
  recordingMediaUrl(recordingSid: string, recordingUrl?: string | null): string {
    const own = recordingUrl ? ownRecordingWavUrl(this.baseUrl, recordingSid, recordingUrl) : null;
    return own ?? this.baseUrl + this.accountPath(`/Recordings/${encodeURIComponent(recordingSid)}.wav`);
  }

  /**
   * The WAV media of one of this account's recordings, as a streaming response, from `recordingMediaUrl` (Twilio's
   * `RecordingUrl` when it is on our Twilio origin, else the URL built from the SIDs): nothing else is fetched.
   */
  async downloadRecording(recordingSid: string, recordingUrl?: string | null): Promise<Response> {
    const url = this.recordingMediaUrl(recordingSid, recordingUrl);
    let res: Response;
    try {
      res = await fetch(url, { headers: { Authorization: this.authHeader(), Accept: "audio/x-wav, audio/wav" } });
    } catch (e) {
      throw unreachable(e);
    }
    if (!res.ok || !res.body) {
      throw errorOf(
        res.status,
        await res.text().catch(() => ""),
        `HTTP ${res.status} downloading recording ${recordingSid}`,
      );
    }
    return res;
  }

  sendSms(to: string, from: string, body: string): Promise<void> {
    return this.send("POST", this.accountPath("/Messages.json"), {
      To: to,
      From: from,
      Body: body,
    });
  }
}
