/**
 * The composition root: the Hono app, and the Durable Object classes wired to their dependencies. The live
 * engine names no carrier; this is where it is handed the registry of carriers it may run calls on.
 */
import { createApp } from "./app";
import { carriers } from "./carriers/registry";
import type { Env } from "./env";
import { CallObjectEngine } from "./live/call-object";

export { TicketRecorder } from "./recordings/ticket-recorder";
export { RateLimiter } from "./limits/rate-limiter";
export { RingCentralAuth } from "./carriers/ringcentral/token-object";
export { RingCentralSession } from "./carriers/ringcentral/session-object";

/** One object per live call (binding CALLS). */
export class CallObject extends CallObjectEngine {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, carriers);
  }
}

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
