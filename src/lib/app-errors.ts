import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ApiError } from "./errors";
import { UpstreamError, upstreamToApi } from "./upstream";

/** What the error path needs of a request's context: its id, set first thing (src/app.ts). */
type RequestIdEnv = { Variables: { requestId: string } };

/**
 * The one error path: known errors become `{error, ...details}` JSON; anything else is logged with the request's
 * id and answered with exactly `{"error": "Internal server error"}` (the call-data API's documented shape, used
 * everywhere), the id in the `X-Request-Id` header so a report can be matched with the log.
 */
export function onError<E extends RequestIdEnv>(err: Error, c: Context<E>): Response {
  if (err instanceof UpstreamError) return onError(upstreamToApi(err), c);
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
