import { Hono, type Context } from "hono";
import type { AppEnv } from "../auth/context";
import { ApiError } from "../lib/errors";
import { onError } from "../lib/app-errors";
import { RECORDING_DOWNLOAD_PATH } from "../recordings/signed-url";
import { adminSurveyRoutes } from "./admin-surveys";
import { conversationRoutes } from "./conversations";
import { recordingDownloadRoutes } from "./recording-download";
import { voiceAnalyticsRoutes } from "./voice-analytics";
import { voiceCallRoutes } from "./voice-calls";
import { voiceRecordingRoutes } from "./voice-recordings";

/**
 * Seed 003 wants a bare `{"error": "Internal server error"}` for a 500: the request ID moves to a header.
 * Known errors render exactly as everywhere else.
 */
export function callDataOnError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof ApiError || err.name === "HTTPException") return onError(err, c);
  const requestId = c.get("requestId");
  console.error(JSON.stringify({ level: "error", requestId, path: c.req.path, name: err.name, message: err.message }));
  return c.json({ error: "Internal server error" }, 500, { "X-Request-Id": requestId });
}

/** Call data for customers (SPEC §D): voice calls, analytics, recordings, conversations, EPA ingest. */
export const callDataRoutes = new Hono<AppEnv>()
  .route("/api/v1/voice-calls", voiceCallRoutes)
  .route("/api/voice/analytics", voiceAnalyticsRoutes)
  .route("/api/voice/recordings", voiceRecordingRoutes)
  .route("/api/conversations", conversationRoutes)
  .route(RECORDING_DOWNLOAD_PATH, recordingDownloadRoutes)
  .route("/api/admin", adminSurveyRoutes)
  .onError(callDataOnError);
