import { Hono } from "hono";
import type { AppEnv } from "../auth/context";
import { ApiError, notFound } from "../lib/errors";
import { connectMediaStream } from "../live/entry";

/**
 * A call_control_id: Telnyx's are `v3:` + URL-safe characters, but our answer streams whatever id the event
 * carried, so any id of that alphabet is taken (the object checks the StreamToken); anything else is no stream.
 */
const CALL_CONTROL_ID = /^[A-Za-z0-9:_-]{1,200}$/;

/**
 * `GET /streams/telnyx/{call_control_id}`: Telnyx's media stream WebSocket (the `stream_url` of our answer),
 * handed to the call's Durable Object. Who may stream is decided there, by the StreamToken our answer put in
 * client_state, before any audio is bridged (docs/telnyx.md, "How a media stream authenticates").
 */
export const telnyxStreamRoutes = new Hono<AppEnv>().get("/:key", (c) => {
  const key = c.req.param("key");
  if (!CALL_CONTROL_ID.test(key)) throw notFound("No such media stream");
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket")
    throw new ApiError(400, "Expected a WebSocket upgrade (Telnyx media streaming)");
  return connectMediaStream(c.env, key, "telnyx", c.req.raw);
});
