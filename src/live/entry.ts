import type { Env } from "../env";
import type { LegStatusReport } from "./carrier";
import type { LegStatusResult } from "./receiver-leg";

/** The header a media-stream route sets to tell the call's object which carrier's wire format the socket speaks. */
export const STREAM_CARRIER_HEADER = "X-Voicedesk-Carrier";

/** The call's object: one per live call, named by the caller leg's carrier id. */
export const callObject = (env: Env, key: string) => env.CALLS.get(env.CALLS.idFromName(key));

/**
 * Hands the call's object the stream parameters as soon as the webhook answers, so it opens the OpenAI socket
 * while the carrier is still connecting the media stream (the first reply comes sooner). `prepare` never throws.
 */
export function prepareLiveCall(
  env: Env,
  ctx: ExecutionContext,
  key: string,
  carrier: string,
  parameters: Record<string, string>,
): void {
  ctx.waitUntil(
    callObject(env, key)
      .prepare(carrier, parameters)
      .catch(() => undefined),
  );
}

/** Passes a carrier's media-stream WebSocket upgrade to the call's object, saying which carrier it comes from. */
export function connectMediaStream(env: Env, key: string, carrier: string, request: Request): Promise<Response> {
  const headers = new Headers(request.headers);
  headers.set(STREAM_CARRIER_HEADER, carrier);
  return callObject(env, key).fetch(new Request(request, { headers }));
}

/**
 * A carrier's status report on a leg the call's object dialed (a carrier's status webhook calls this once it has
 * verified the request): the object checks that tenant, carrier and leg are its own before acting on it.
 */
export function reportLegStatus(env: Env, key: string, report: LegStatusReport): Promise<LegStatusResult> {
  return callObject(env, key).legStatus(report);
}
