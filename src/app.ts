import { Hono } from "hono";
import type { AppEnv } from "./auth/context";
import { requireAdmin } from "./auth/middleware";
import { notFoundRoute, onError } from "./lib/app-errors";
import { browserCors } from "./lib/cors";
import { RECORDING_DOWNLOAD_PATH } from "./recordings/signed-url";
import { adminHealthRoutes } from "./routes/admin-health";
import { adminAssistantToolRoutes } from "./routes/admin-assistant-tools";
import { adminAssistantRoutes } from "./routes/admin-assistants";
import { adminCampaignRoutes } from "./routes/admin-campaigns";
import { adminCustomerRoutes } from "./routes/admin-customers";
import { adminDeletionRoutes } from "./routes/admin-deletions";
import { adminNumberRoutes } from "./routes/admin-numbers";
import { adminRepRoutes } from "./routes/admin-reps";
import { adminRingCentralRoutes } from "./routes/admin-ringcentral";
import { adminSurveyRoutes } from "./routes/admin-surveys";
import { audioChunkRoutes } from "./routes/audio-chunks";
import { campaignRoutes } from "./routes/campaigns";
import { authRoutes } from "./routes/auth";
import { conversationRoutes } from "./routes/conversations";
import { meRoutes } from "./routes/me";
import type { MountedRoute } from "./routes/openapi/document";
import { openApiRoutes } from "./routes/openapi/routes";
import { realtimeRoutes } from "./routes/realtime";
import { recordingDownloadRoutes } from "./routes/recording-download";
import { ringcentralWebhookRoutes } from "./routes/ringcentral-webhooks";
import { streamRoutes } from "./routes/streams";
import { telnyxStreamRoutes } from "./routes/telnyx-streams";
import { telnyxWebhookRoutes } from "./routes/telnyx-webhooks";
import { ticketRoutes } from "./routes/tickets";
import { transcriptionRoutes } from "./routes/transcriptions";
import { twilioCallRoutes } from "./routes/twilio-calls";
import { twilioWebhookRoutes } from "./routes/twilio-webhooks";
import { twimlRoutes } from "./routes/twiml";
import { twimlRepRoutes } from "./routes/twiml-rep";
import { twilioAmdRoutes } from "./routes/twilio-amd";
import { voiceAnalyticsRoutes } from "./routes/voice-analytics";
import { voiceCallRoutes } from "./routes/voice-calls";
import { voiceRecordingRoutes } from "./routes/voice-recordings";

/** Never opened to browsers, whatever CORS_ORIGINS says: provisioning and the anonymous, signed carrier webhooks. */
const CLOSED_TO_BROWSERS = [
  /^\/api\/admin(\/|$)/,
  /^\/api\/webhooks(\/|$)/,
  /^\/api\/TwilioCalls\/(voice|statuscallback|amdcallback|legstatus|[^/]+\/recordingcallback)\/?$/,
];

/**
 * The whole API, every router in one table (docs/architecture.md, "How to add an endpoint"). `src/index.ts`
 * serves it and tests call it through the same Worker entry.
 */
export function createApp() {
  // what /openapi.json documents: this table, once built
  const table: { routes: readonly MountedRoute[] } = { routes: [] };
  const app = new Hono<AppEnv>()
    .use("*", async (c, next) => {
      c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
      await next();
    })
    .get("/health", (c) => c.json({ ok: true }))
    // the OpenAPI document of this very table, and its reference page (docs/openapi.md)
    .route(
      "/",
      openApiRoutes(() => table.routes),
    )
    // browsers on the CORS_ORIGINS origins (`/twiml` and `/streams` are outside /api: never opened)
    .use("/api/*", browserCors(CLOSED_TO_BROWSERS))
    // provisioning (admin bearer token)
    .use("/api/admin/*", requireAdmin)
    .route("/api/admin/health", adminHealthRoutes)
    .route("/api/admin/customers", adminCustomerRoutes)
    .route("/api/admin/customers/:id/reps", adminRepRoutes)
    .route("/api/admin/customers/:id/phone-numbers", adminNumberRoutes)
    .route("/api/admin/customers/:id/assistants", adminAssistantRoutes)
    .route("/api/admin/customers/:id/assistants/:assistantId/tools", adminAssistantToolRoutes)
    .route("/api/admin/customers/:id/campaigns", adminCampaignRoutes)
    .route("/api/admin/customers/:id/calls/:callId/survey", adminSurveyRoutes)
    .route("/api/admin/customers/:id/ringcentral", adminRingCentralRoutes)
    .route("/api/admin/customers/:id", adminDeletionRoutes)
    // reps and end users (bearer JWT)
    .route("/api/Auth", authRoutes)
    .route("/api/me", meRoutes)
    .route("/api/tickets", ticketRoutes)
    .route("/api/AudioChunks", audioChunkRoutes)
    .route("/api/Transcriptions", transcriptionRoutes)
    .route("/api/realtime", realtimeRoutes)
    .route("/api/TwilioCalls", twilioCallRoutes)
    // call data
    .route("/api/v1/voice-calls", voiceCallRoutes)
    .route("/api/voice/analytics", voiceAnalyticsRoutes)
    .route("/api/voice/recordings", voiceRecordingRoutes)
    .route("/api/conversations", conversationRoutes)
    .route("/api/v1/campaigns", campaignRoutes)
    .route(RECORDING_DOWNLOAD_PATH, recordingDownloadRoutes)
    // carriers (anonymous, signed)
    .route("/api/TwilioCalls", twilioWebhookRoutes)
    .route("/api/TwilioCalls", twilioAmdRoutes)
    .route("/api/webhooks/telnyx", telnyxWebhookRoutes)
    .route("/api/webhooks/ringcentral", ringcentralWebhookRoutes)
    .route("/twiml", twimlRoutes)
    .route("/twiml", twimlRepRoutes)
    .route("/streams/telnyx", telnyxStreamRoutes)
    .route("/streams", streamRoutes)
    .notFound(notFoundRoute)
    .onError(onError);
  table.routes = app.routes;
  return app;
}

export type AppType = ReturnType<typeof createApp>;
