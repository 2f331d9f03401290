/**
 * The API client: `hono/client` typed by the Worker's own app type (`AppType` from src/app.ts, read through the
 * declarations `npm run typecheck:console` emits), on the page's origin. The token is sent as a header, never in a
 * URL. Every failure becomes an `ApiFailure` carrying the API's `{error, issues}` answer.
 */
import type { AppType } from "@voicedesk/app";
import { hc } from "hono/client";

export interface Issue {
  path: string;
  message: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: Issue[] = [],
    readonly retryAfter: string | null = null,
  ) {
    super(message);
    this.name = "ApiFailure";
  }
}

let token: string | null = null;
let onUnauthorized: (message: string) => void = () => {};

export function setToken(value: string | null): void {
  token = value;
}

/** Called once by the app: a 401 on a signed-in call ends the session. */
export function whenUnauthorized(handler: (message: string) => void): void {
  onUnauthorized = handler;
}

export const authHeaders = (): Record<string, string> => (token ? { Authorization: `Bearer ${token}` } : {});

export const client = hc<AppType>(location.origin, { headers: authHeaders });

/** The API's JSON error, or a readable stand-in when the answer was not JSON (a proxy, a crash). */
export async function failureOf(res: Response): Promise<ApiFailure> {
  let message = `${res.status} ${res.statusText || "error"}`;
  let issues: Issue[] = [];
  try {
    const body = (await res.json()) as { error?: unknown; issues?: unknown };
    if (typeof body.error === "string") message = body.error;
    if (Array.isArray(body.issues)) issues = body.issues as Issue[];
  } catch {
    // not JSON: keep the status line
  }
  if (res.status === 401 && token) onUnauthorized(message);
  return new ApiFailure(res.status, message, issues, res.headers.get("Retry-After"));
}

/** The JSON body type `hono/client` derives from the route's `c.json(...)`. */
export type JsonOf<R> = R extends { json(): Promise<infer T> } ? T : never;

/** Awaits a client call and returns its JSON, or throws its `ApiFailure`; network errors say so plainly. */
export async function call<R extends Response>(request: Promise<R>): Promise<JsonOf<R>> {
  let res: R;
  try {
    res = await request;
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiFailure(0, "The server cannot be reached. Is `npm start` running?");
  }
  if (!res.ok) throw await failureOf(res);
  return (await res.json()) as JsonOf<R>;
}

/** For answers that are not JSON (the realtime SDP answer): same auth, same errors. */
export async function send(path: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { ...authHeaders(), ...(init.headers as Record<string, string>) } });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiFailure(0, "The server cannot be reached. Is `npm start` running?");
  }
  if (!res.ok) throw await failureOf(res);
  return res;
}

export const describeFailure = (e: unknown): string =>
  e instanceof ApiFailure
    ? [
        e.message,
        e.retryAfter ? `Try again in ${e.retryAfter} s.` : "",
        ...e.issues.filter((i) => !e.message.includes(i.message)).map((i) => `${i.path}: ${i.message}`),
      ]
        .filter(Boolean)
        .join(" ")
    : e instanceof Error
      ? e.message
      : String(e);
