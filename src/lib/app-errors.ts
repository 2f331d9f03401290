import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ApiError } from "./errors";
import { UpstreamError, upstreamToApi } from "./upstream";

/**
 * What the error path needs of a request's context: its id, set first thing (src/app.ts), and whether the caller
 * may read an outside service's own error text (set by the auth middleware for reps and the admin).
 */
type RequestIdEnv = { Variables: { requestId: string; upstreamDetail: boolean } };

/**
 * An anonymous caller (a phone-login request, a webhook) or an end user gets the status of an upstream failure
 * but not the service's words, which can describe the tenant's account; those go to the log.
 */
function redactedUpstream<E extends RequestIdEnv>(e: UpstreamError, api: ApiError, c: Context<E>): Response {
  const requestId = c.get("requestId");
  console.error(
    JSON.stringify({
      level: "error",
      requestId,
      path: c.req.path,
      upstream: e.service,
      status: e.status,
      code: e.code,
      message: e.message,
    }),
  );
  const error =
    api.status === 400 ? `${e.service} rejected the ${e.what}` : `${e.service} could not complete the ${e.what}`;
  return c.json({ error }, api.status, { ...api.headers, "X-Request-Id": requestId });
}

/**
 * The one error path: known errors become `{error, ...details}` JSON; anything else is logged with the request's
 * id and answered with exactly `{"error": "Internal server error"}` (the call-data API's documented shape, used
 * everywhere), the id in the `X-Request-Id` header so a report can be matched with the log.
 */
export function onError<E extends RequestIdEnv>(err: Error, c: Context<E>): Response {
  if (err instanceof UpstreamError) {
    const api = upstreamToApi(err);
    return c.get("upstreamDetail") ? onError(api, c) : redactedUpstream(err, api, c);
  }
  if (err instanceof ApiError) {
    return c.json({ error: err.message, ...err.details }, err.status, err.headers);
  }
  if (err instanceof HTTPException) {
    const status = err.status >= 400 && err.status < 500 ? err.status : 500;
    return c.json({ error: err.message || "Request failed" }, status);
  }
  const requestId = c.get("requestId");
  console.error(JSON.stringify({ level: "error", requestId, path: c.req.path, name: err.name, message: err.message }));
  return c.json({ error: "Internal server error" }, 500, { "X-Request-Id": requestId });
}

export const notFoundRoute = (c: Context) => c.json({ error: `No route for ${c.req.method} ${c.req.path}` }, 404);
