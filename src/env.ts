/**
 * Everything the Worker is bound to. The bindings, the [vars] and the required secrets come from wrangler.toml
 * and worker-secrets.env through `wrangler types` (worker-configuration.d.ts: regenerate with `npm run gen:types`;
 * `npm run check:deploy` fails when it is stale or when a wrangler.toml binding is missing from this type).
 * What wrangler.toml cannot declare — secrets and vars a deployment may leave unset — is declared here, optional.
 * Secrets come from `wrangler secret put` (or .dev.vars locally).
 */
declare global {
  namespace Cloudflare {
    interface Env {
      // ── optional secrets ──
      /** HS256 key for rep JWTs (unless JWT_JWKS_URL is set); at least 32 bytes. */
      JWT_SECRET?: string;
      /** JWKS URL for RS256/ES256 rep JWTs; takes precedence over JWT_SECRET. */
      JWT_JWKS_URL?: string;

      // ── optional vars ──
      JWT_ISSUER?: string;
      JWT_AUDIENCE?: string;
      /** Overrides the Twilio REST host derived from each tenant's region and edge. */
      TWILIO_API_BASE_URL?: string;
      /** Externally visible https origin, for TwiML callback URLs and Twilio signature checks. */
      PUBLIC_BASE_URL?: string;
      /** Live calls: realtime session lifetime in ms before a transparent renewal (default 28 min). */
      REALTIME_SESSION_MAX_MS?: string;
      /** Live calls: a call with no media for this many ms is ended and finalized by an alarm (default 60 s). */
      CALL_SILENCE_TIMEOUT_MS?: string;
    }
  }
}

/**
 * The generated bindings — DB (D1), RECORDINGS (R2), the Durable Object namespaces CALLS, TICKET_RECORDERS and
 * RATE_LIMITER, OPENAI_BASE_URL, ADMIN_TOKEN, ENCRYPTION_KEY — plus the optional ones above.
 */
export type Env = Cloudflare.Env;
