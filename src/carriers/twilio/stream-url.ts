import type { CustomerRow } from "../../db/customers";
import type { Env } from "../../env";
import { publicOriginOf, toWebSocketOrigin } from "../../lib/public-url";

/** A stream base as a `<Stream url>` needs it (a WebSocket URL): `http(s)://` is written as `ws(s)://`. */
const asWebSocketUrl = (url: string) => toWebSocketOrigin(url.replace(/^[a-z]+:/i, (scheme) => scheme.toLowerCase()));

/**
 * This Worker's own media stream endpoint, `wss://<public origin>/streams` (`ws://` for a plain-http origin such
 * as `wrangler dev`). `origin` is the origin the webhook arrived at; PUBLIC_BASE_URL wins over it.
 */
export const ownStreamBase = (env: Env, origin: string) => `${toWebSocketOrigin(publicOriginOf(env, origin))}/streams`;

/**
 * Where Twilio streams a call's media: `{base}/{key}` (the key is the caller's CallSid). It rides in the path
 * because a `<Stream url>` must carry no query string, and the Worker must pick the call's Durable Object at
 * upgrade time, before any `start` message arrives.
 *
 * The base is the tenant's `phone_stream_url` — SPEC.md: "the phone stream URL used for translation" — for a
 * translated call only; every other call (an assistant's) streams to this Worker's own endpoint. A
 * `phone_stream_url` may be ws, wss, http or https (the admin API takes all four, e.g. `ws://127.0.0.1:8787/streams`
 * for a local setup); http(s) is written as ws(s). Twilio itself connects to `wss://` URLs only.
 */
export function mediaStreamUrl(
  env: Env,
  origin: string,
  customer: Pick<CustomerRow, "phone_stream_url">,
  key: string,
  purpose: "translate" | "assistant",
): string {
  const tenantBase = purpose === "translate" ? customer.phone_stream_url : null;
  const base = (tenantBase ? asWebSocketUrl(tenantBase) : ownStreamBase(env, origin)).replace(/\/+$/, "");
  return `${base}/${encodeURIComponent(key)}`;
}
