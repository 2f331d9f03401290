import { Hono } from "hono";
import type { AppEnv } from "../auth/context";
import { callSid } from "../carriers/twilio/sids";
import { ApiError, notFound } from "../lib/errors";
import { connectMediaStream } from "../live/entry";

/**
 * `GET /streams/{CallSid}`: Twilio's media stream WebSocket, handed to the call's Durable Object. Who may
 * stream is decided there, by the StreamToken in the `start` message, before any audio is bridged.
 */
export const streamRoutes = new Hono<AppEnv>().get("/:callSid", (c) => {
  const sid = c.req.param("callSid");
  if (!callSid.safeParse(sid).success) throw notFound("No such media stream");
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket")
    throw new ApiError(400, "Expected a WebSocket upgrade (Twilio Media Streams)");
  return connectMediaStream(c.env, sid, "twilio", c.req.raw);
});
