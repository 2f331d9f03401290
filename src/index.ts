import { createApp } from "./app";
import type { Env } from "./env";

export { CallSession } from "./calls/call-session";
export { TicketRecorder } from "./calls/ticket-recorder";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
