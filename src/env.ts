import type { CallObjectEngine } from "./live/call-object";
import type { TicketRecorder } from "./recordings/ticket-recorder";
import type { JobQueue } from "./lib/jobs";
import type { RateLimiter } from "./limits/rate-limiter";
import type { CampaignEngine } from "./outbound/campaign-object";
import type { RingCentralAuth } from "./carriers/ringcentral/token-object";
import type { RingCentralSession } from "./carriers/ringcentral/session-object";

/** Everything the Worker is bound to. Secrets come from `wrangler secret put` (or .dev.vars locally). */
export interface Env {
  // ── bindings ──
  /** Tickets, reps, calls and everything relational. */
  DB: D1Database;
  /** Stereo call recordings (WAV). */
  RECORDINGS: R2Bucket;
  /** One object per live call, named by the caller leg's carrier id (a Twilio CallSid, …). */
  CALLS: DurableObjectNamespace<CallObjectEngine>;
  /** One object per ticket for uploaded audio chunks (`ticket:{customerId}:{ticketId}`). */
  TICKET_RECORDERS: DurableObjectNamespace<TicketRecorder>;
  /** Per-tenant request counters (analytics, recordings), one object per tenant and endpoint group. */
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  /** Post-call work and data lifecycle jobs (src/lib/jobs.ts), consumed by this Worker. */
  POST_CALL: JobQueue;
  /** One object per outbound campaign (`campaign:{customerId}:{campaignId}`): paces its calls with alarms. */
  CAMPAIGNS: DurableObjectNamespace<CampaignEngine>;
  /** One object per tenant holding its RingCentral access token (`rc-auth:{customerId}`), refreshed one at a time. */
  RINGCENTRAL_AUTH: DurableObjectNamespace<RingCentralAuth>;
  /** One object per RingCentral telephony session (`rc-session:{customerId}:{id}`): notification order, what we did. */
  RINGCENTRAL_SESSIONS: DurableObjectNamespace<RingCentralSession>;

  // ── secrets ──
  /** HS256 key for rep JWTs (unless JWT_JWKS_URL is set). */
  JWT_SECRET?: string;
  /** JWKS URL for RS256/ES256 rep JWTs; takes precedence over JWT_SECRET. */
  JWT_JWKS_URL?: string;
  /** Bearer token for /api/admin/*. */
  ADMIN_TOKEN?: string;
  /** base64 of 32 random bytes; root of the keys that encrypt tenant secrets and sign internal tokens. */
  ENCRYPTION_KEY?: string;

  // ── vars ──
  /** The `iss` and `aud` every rep token must carry (required unless JWT_REQUIRE_ISS_AUD is "false"). */
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  /** "false" accepts rep tokens without `iss`/`aud` (each is still checked when configured). */
  JWT_REQUIRE_ISS_AUD?: string;
  /** REST base of OpenAI; the realtime socket opens on the same base + /realtime. */
  OPENAI_BASE_URL?: string;
  /** Overrides the Twilio REST host derived from each tenant's region and edge. */
  TWILIO_API_BASE_URL?: string;
  /** Telnyx REST base (default https://api.telnyx.com/v2); recordings are fetched only from Telnyx's hosts or this host. */
  TELNYX_API_BASE_URL?: string;
  /** RingCentral REST origin (OAuth, devices, subscriptions, call control); default https://platform.ringcentral.com. */
  RINGCENTRAL_API_BASE_URL?: string;
  /** Externally visible https origin, for TwiML callback URLs and Twilio signature checks. */
  PUBLIC_BASE_URL?: string;
  /** Comma-separated browser origins allowed to call the rep API (CORS); `*` allows any, without credentials. */
  CORS_ORIGINS?: string;
  /** Live calls: realtime session lifetime in ms before a transparent renewal (default 28 min). */
  REALTIME_SESSION_MAX_MS?: string;
  /** Live calls: a call with no media for this many ms is ended and finalized by an alarm (default 60 s). */
  CALL_SILENCE_TIMEOUT_MS?: string;
  /** Translated calls: how many ms the receiver may ring before the rep hears "no answer" (default 30 s). */
  TRANSLATE_DIAL_TIMEOUT_MS?: string;
}
