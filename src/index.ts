/**
 * The composition root: the Hono app, and the Durable Object classes wired to their dependencies. The live
 * engine names no carrier; this is where it is handed the registry of carriers it may run calls on.
 */
import { createApp } from "./app";
import { carriers, dialers } from "./carriers/registry";
import type { Env } from "./env";
import type { Job } from "./lib/jobs";
import { consumeDeadJobs, consumeJobs, DEAD_LETTER_QUEUE } from "./lifecycle/consumer";
import { onSchedule } from "./lifecycle/scheduled";
import { CallObjectEngine } from "./live/call-object";
import { CampaignEngine } from "./outbound/campaign-object";

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

/** One object per outbound campaign (binding CAMPAIGNS); it places calls with the carriers that can dial. */
export class CampaignObject extends CampaignEngine {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, dialers);
  }
}

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  queue: (batch, env) => (batch.queue === DEAD_LETTER_QUEUE ? consumeDeadJobs(batch, env) : consumeJobs(batch, env)),
  scheduled: async (controller, env) => void (await onSchedule(controller.cron, env, controller.scheduledTime)),
} satisfies ExportedHandler<Env, Job>;
