import { Hono } from "hono";
import type { AppEnv } from "../auth/context";
import { getRecordingById } from "../db/recordings";
import { ApiError } from "../lib/errors";
import { serveR2Object } from "../recordings/r2-serve";
import { validRecordingSignature } from "../recordings/signed-url";

/**
 * The public end of the three-step download: no Authorization, the signed query is the credential.
 * Streams the WAV from R2 with Range support (206/416) so players can seek.
 */
export const recordingDownloadRoutes = new Hono<AppEnv>().on(["GET", "HEAD"], "/:recordingId", async (c) => {
  const id = c.req.param("recordingId");
  const ok = await validRecordingSignature(c.env, id, c.req.query("exp") ?? "", c.req.query("sig") ?? "");
  if (!ok) throw new ApiError(403, "This recording URL is invalid or has expired; request a new one");
  const rec = await getRecordingById(c.env.DB, id);
  if (!rec) throw new ApiError(404, "Recording not found");
  return serveR2Object(c.env.RECORDINGS, rec.r2_key, c.req.raw, `${rec.call_id ?? rec.id}.wav`);
});
