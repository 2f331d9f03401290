import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../auth/context";
import { ApiError } from "./errors";

/** The one error path: known errors become `{error, ...details}` JSON; anything else a generic 500 with a request ID. */
export function onError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof ApiError) {
    return c.json({ error: err.message, ...err.details }, err.status, err.headers);
  }
  if (err instanceof HTTPException) {
    const status = err.status >= 400 && err.status < 500 ? err.status : 500;
    return c.json({ error: err.message || "Request failed" }, status);
  }
  const requestId = c.get("requestId");
  console.error(JSON.stringify({ level: "error", requestId, path: c.req.path, name: err.name, message: err.message }));
  return c.json({ error: "Internal server error", requestId }, 500);
}

export const notFoundRoute = (c: Context<AppEnv>) => c.json({ error: `No route for ${c.req.method} ${c.req.path}` }, 404);
