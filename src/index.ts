import { createApp } from "./app";
import type { Env } from "./env";

export { CallSession } from "./live/call-session";
export { TicketRecorder } from "./recordings/ticket-recorder";
export { RateLimiter } from "./limits/rate-limiter";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
