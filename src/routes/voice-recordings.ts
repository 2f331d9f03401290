import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { requireRep } from "../auth/middleware";
import { getCall } from "../db/calls";
import { latestRecordingOfCall } from "../db/recordings";
import { ApiError } from "../lib/errors";
import { publicOrigin } from "../lib/public-url";
import { signRecordingUrl } from "../recordings/signed-url";
import { validate } from "../lib/validate";
import { rateLimit } from "../limits/middleware";
import { callIdParam } from "./call-params";

const conversationParam = z.object({ conversationId: callIdParam.shape.id });

/** Seed 003 recording metadata; `urls` are signed download URLs on this Worker (valid 15 minutes). */
export const voiceRecordingRoutes = new Hono<AppEnv>()
  // SPEC.md's call-data table asks for a rep here, no scope: metadata, whose signed URLs expire in 15 minutes.
  .use("*", requireRep, rateLimit("recordings"))
  .get("/:conversationId", validate("param", conversationParam), async (c) => {
    const customerId = c.get("rep").customerId;
    const call = await getCall(c.env.DB, customerId, c.req.valid("param").conversationId);
    // No such conversation of this tenant (unknown or another's: the same answer): no recording either.
    if (!call) throw new ApiError(404, "Conversation not found", { available: false });
    const rec = await latestRecordingOfCall(c.env.DB, customerId, call.id);
    if (!rec) {
      const recording = {
        id: null,
        urls: null,
        duration_seconds: null,
        available: false,
        started_at: call.start_time,
        ended_at: call.end_time,
      };
      // `available: false` at the top as SPEC.md words it, and inside `recording` as seed 003 shows it.
      throw new ApiError(404, "No recording available for this conversation", { available: false, recording });
    }
    const signed = await signRecordingUrl(c.env, publicOrigin(c.env, c.req.raw), rec.id);
    return c.json({
      recording: {
        id: rec.id,
        urls: [signed.url],
        expires_at: signed.expiresAt,
        duration_seconds: Math.round(rec.duration_ms / 1000),
        available: true,
        started_at: rec.started_at ?? call.start_time,
        ended_at: rec.ended_at ?? call.end_time,
      },
    });
  });
