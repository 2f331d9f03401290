import type { Env } from "../env";

/**
 * Hands the call's object the stream parameters as soon as the webhook answers, so it opens the OpenAI socket
 * while Twilio is still connecting the media stream (the first reply comes sooner). `prepare` never throws.
 */
export function startCallSession(env: Env, ctx: ExecutionContext, callSid: string, parameters: Record<string, string>): void {
  const stub = env.CALLS.get(env.CALLS.idFromName(callSid));
  ctx.waitUntil(stub.prepare(parameters).catch(() => undefined));
}
