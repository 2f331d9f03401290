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
      /** The `iss` every rep token must carry; unchecked when unset. */
      JWT_ISSUER?: string;
      /** The `aud` every rep token must carry; unchecked when unset. */
      JWT_AUDIENCE?: string;
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
  }
}

/** The generated bindings (worker-configuration.d.ts: D1, R2, the Durable Object namespaces, the queue, the [vars], the required secrets), plus the optional ones above. */
export type Env = Cloudflare.Env;
