import { Hono } from "hono";
import type { AppEnv } from "./auth/context";
import { notFoundRoute, onError } from "./lib/app-errors";
import { adminRoutes } from "./routes/admin";
import { adminHealthRoutes } from "./routes/admin-health";
import { audioChunkRoutes } from "./routes/audio-chunks";
import { authRoutes } from "./routes/auth";
import { callDataRoutes } from "./routes/call-data";
import { meRoutes } from "./routes/me";
import { realtimeRoutes } from "./routes/realtime";
import { streamRoutes } from "./routes/streams";
import { ticketRoutes } from "./routes/tickets";
import { transcriptionRoutes } from "./routes/transcriptions";
import { twilioCallRoutes } from "./routes/twilio-calls";
import { twimlRoutes } from "./routes/twiml";

/** The whole API; `src/index.ts` serves it and tests call it through the same Worker entry. */
export function createApp() {
  return new Hono<AppEnv>()
    .use("*", async (c, next) => {
      c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
      await next();
    })
    .get("/health", (c) => c.json({ ok: true }))
    .route("/api/admin/health", adminHealthRoutes)
    .route("/api/admin", adminRoutes)
    .route("/api/Auth", authRoutes)
    .route("/api/me", meRoutes)
    .route("/api/tickets", ticketRoutes)
    .route("/api/AudioChunks", audioChunkRoutes)
    .route("/api/Transcriptions", transcriptionRoutes)
    .route("/api/realtime", realtimeRoutes)
    .route("/api/TwilioCalls", twilioCallRoutes)
    .route("/twiml", twimlRoutes)
    .route("/streams", streamRoutes)
    .route("/", callDataRoutes)
    .notFound(notFoundRoute)
    .onError(onError);
}
