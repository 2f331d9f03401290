import type { Env } from "../../env";
import type { Carrier, StreamTarget } from "../../live/carrier";
import { publicOriginOf, toWebSocketOrigin } from "../../lib/public-url";
import { loadTelnyxAccount, telnyxApiKey } from "./account";
import { TelnyxControl } from "./control";
import { telnyxWire } from "./media-wire";
import { telnyxBaseUrl } from "./rest";

/** Where the route for Telnyx media streams is mounted (src/app.ts, src/routes/telnyx-streams.ts). */
export const TELNYX_STREAM_PATH = "/streams/telnyx";

/**
 * Where Telnyx streams a leg's media: `wss://<public origin>/streams/telnyx/{key}`, the key (the caller leg's
 * call_control_id, which holds `:`) URL-encoded. It rides in the path so the Worker picks the call's object at
 * upgrade time, before the `start` frame; the stream's parameters ride in client_state (docs/telnyx.md).
 */
export const telnyxStreamUrl = (env: Env, target: Pick<StreamTarget, "key" | "origin">): string =>
  `${toWebSocketOrigin(publicOriginOf(env, target.origin))}${TELNYX_STREAM_PATH}/${encodeURIComponent(target.key)}`;

/** Call control with the tenant's Telnyx API key (decrypted only here, for the requests it makes). */
export async function telnyxControlFor(env: Env, customerId: number): Promise<TelnyxControl> {
  const account = await loadTelnyxAccount(env.DB, customerId);
  if (!account) throw new Error(`customer ${customerId} has no Telnyx account`);
  return new TelnyxControl({
    apiKey: await telnyxApiKey(env, account),
    connectionId: account.connectionId,
    baseUrl: telnyxBaseUrl(env),
    streamUrl: (target) => telnyxStreamUrl(env, target),
  });
}

/** Telnyx as the live engine sees it: media-streaming frames and the Call Control API. */
export const telnyxCarrier: Carrier = {
  name: "telnyx",
  wire: telnyxWire,
  control: telnyxControlFor,
};
