import { Hono } from "hono";
import type { AppEnv } from "../auth/context";
import { ApiError, notFound } from "../lib/errors";

const CALL_SID = /^CA[0-9a-zA-Z]{32}$/;

/**
 * `GET /streams/{CallSid}`: Twilio's media stream WebSocket, handed to the call's Durable Object. Who may
 * stream is decided there, by the StreamToken in the `start` message, before any audio is bridged.
 */
export const streamRoutes = new Hono<AppEnv>().get("/:callSid", (c) => {
  const callSid = c.req.param("callSid");
  if (!CALL_SID.test(callSid)) throw notFound("No such media stream");
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") throw new ApiError(400, "Expected a WebSocket upgrade (Twilio Media Streams)");
  return c.env.CALLS.get(c.env.CALLS.idFromName(callSid)).fetch(c.req.raw);
});
