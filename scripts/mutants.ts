/**
 * The mutants of `npm run mutate` (scripts/mutate.ts, docs/testing.md): realistic bugs in critical code, each
 * applied alone as an exact text replacement (`find` must occur once in `file`), checked against the test files
 * that cover it. A mutant that cannot be killed carries `equivalent` (why no input tells it apart) and is not run.
 */
export type Area =
  | "signatures"
  | "auth"
  | "tenancy"
  | "barge-in"
  | "realtime"
  | "recordings"
  | "analytics"
  | "rate-limits"
  | "idempotency"
  | "carriers";

export interface Mutant {
  id: string;
  area: Area;
  /** The bug this stands for. */
  bug: string;
  file: string;
  find: string;
  replace: string;
  /** Test files that cover the code (only these run). */
  tests: string[];
  /** Only the tests whose names match (vitest `-t`), to keep a slow file's run short. */
  testNames?: string;
  equivalent?: string;
}

const TWILIO_SIG = "src/carriers/twilio/signature.ts";
const TWILIO_SIG_TESTS = ["test/carriers/twilio/signature.test.ts"];
const TELNYX_SIG = "src/carriers/telnyx/signature.ts";
const TELNYX_SIG_TESTS = ["test/carriers/telnyx/signature.test.ts"];
const REP_JWT = "src/auth/rep-jwt.ts";
const REP_JWT_TESTS = ["test/auth/rep-jwt.test.ts"];
const TRACKER = "src/live/playback-tracker.ts";
const TRACKER_TESTS = ["test/live/playback-tracker.test.ts", "test/live/barge-in.test.ts"];
const LINK = "src/live/realtime-link.ts";
const LINK_TESTS = ["test/live/realtime-link.test.ts", "test/live/renewal.test.ts", "test/live/faults.test.ts"];
const TWILIO_REC = "src/carriers/twilio/recording.ts";
const TWILIO_REC_TESTS = ["test/routes/twilio-recording-callback.test.ts"];
const ANALYTICS = "src/db/call-analytics.ts";
const ANALYTICS_TESTS = ["test/routes/voice-analytics.test.ts"];
const LIMITER = "src/limits/rate-limiter.ts";
const LIMITER_TESTS = ["test/routes/rate-limits.test.ts"];
const RC_WEBHOOK = "src/carriers/ringcentral/webhook.ts";
const RC_WEBHOOK_TESTS = ["test/carriers/ringcentral/webhook.test.ts"];

export const MUTANTS: Mutant[] = [
  // ── signatures ──
  {
    id: "twilio-sig-values-unsorted",
    area: "signatures",
    bug: "a repeated form parameter's values signed in arrival order, not sorted",
    file: TWILIO_SIG,
    find: "[...new Set(params.getAll(name))].sort()",
    replace: "[...new Set(params.getAll(name))]",
    tests: TWILIO_SIG_TESTS,
  },
  {
    id: "twilio-sig-values-repeated",
    area: "signatures",
    bug: "a value repeated under one name signed twice (Twilio signs each distinct value once)",
    file: TWILIO_SIG,
    find: "[...new Set(params.getAll(name))].sort()",
    replace: "params.getAll(name).sort()",
    tests: TWILIO_SIG_TESTS,
  },
  {
    id: "twilio-sig-names-unsorted",
    area: "signatures",
    bug: "parameter names signed in arrival order",
    file: TWILIO_SIG,
    find: "[...new Set(params.keys())].sort()",
    replace: "[...new Set(params.keys())]",
    tests: TWILIO_SIG_TESTS,
  },
  {
    id: "twilio-sig-last-variant-wins",
    area: "signatures",
    bug: "only the last URL form (with the standard port) decides",
    file: TWILIO_SIG,
    find: "ok = ok || match;",
    replace: "ok = match;",
    tests: TWILIO_SIG_TESTS,
  },
  {
    id: "twilio-sig-any-port",
    area: "signatures",
    bug: "a URL with any explicit port is signed only as given (standard port never dropped)",
    file: TWILIO_SIG,
    find: "if (port && port !== standard) return [url];",
    replace: "if (port) return [url];",
    tests: TWILIO_SIG_TESTS,
  },
  {
    id: "timing-safe-equal-or",
    area: "signatures",
    bug: "constant-time compare accepts any string of the same length",
    file: "src/lib/hash.ts",
    find: "crypto.subtle.timingSafeEqual(ha, hb) && a.length === b.length",
    replace: "crypto.subtle.timingSafeEqual(ha, hb) || a.length === b.length",
    tests: TWILIO_SIG_TESTS,
  },
  {
    id: "twilio-webhook-unsigned",
    area: "signatures",
    bug: "Twilio webhooks accepted whatever the signature says",
    file: "src/carriers/twilio/webhook.ts",
    find: "if (await validTwilioSignature(await twilioAuthToken(c.env, account), signature, url, params)) signed.push(account);",
    replace: "signed.push(account);",
    tests: ["test/routes/twilio-voice-webhook.test.ts"],
  },
  {
    id: "recording-url-no-expiry",
    area: "signatures",
    bug: "signed recording URLs never expire",
    file: "src/recordings/signed-url.ts",
    find: "Number(exp) * 1000 > nowMs",
    replace: "Number(exp) > 0",
    tests: ["test/routes/recordings.test.ts"],
  },
  // ── the new carriers' verification ──
  {
    id: "telnyx-tolerance-ms",
    area: "carriers",
    bug: "Telnyx replay window compared in milliseconds (300 000 s)",
    file: TELNYX_SIG,
    find: "> TOLERANCE_SEC) return",
    replace: "> TOLERANCE_SEC * 1000) return",
    tests: TELNYX_SIG_TESTS,
  },
  {
    id: "telnyx-future-timestamps",
    area: "carriers",
    bug: "Telnyx timestamps in the future accepted (no Math.abs)",
    file: TELNYX_SIG,
    find: "Math.abs((d.nowMs ?? Date.now()) / 1000 - ts)",
    replace: "((d.nowMs ?? Date.now()) / 1000 - ts)",
    tests: TELNYX_SIG_TESTS,
  },
  {
    id: "telnyx-timestamp-unsigned",
    area: "carriers",
    bug: "Telnyx signature checked over the body alone (timestamp not bound: replays under a fresh one pass)",
    file: TELNYX_SIG,
    find: "concatBytes([utf8(`${d.timestamp}|`), body])",
    replace: "body",
    tests: TELNYX_SIG_TESTS,
  },
  {
    id: "telnyx-verify-ignored",
    area: "carriers",
    bug: "Telnyx verification result ignored",
    file: TELNYX_SIG,
    find: 'return ok ? { ok: true, timestamp: ts } : { ok: false, reason: "mismatch" };',
    replace: "return { ok: true, timestamp: ts };",
    tests: TELNYX_SIG_TESTS,
  },
  {
    id: "ringcentral-token-not-compared",
    area: "carriers",
    bug: "RingCentral notifications pass with any Verification-Token",
    file: RC_WEBHOOK,
    find: "if (given === null || expected === null || !(await timingSafeEqual(given, expected)))",
    replace: "if (given === null || expected === null)",
    tests: RC_WEBHOOK_TESTS,
  },
  {
    id: "ringcentral-no-subscription-passes",
    area: "carriers",
    bug: "a tenant without a subscription accepts a missing-token comparison (expected null not refused)",
    file: RC_WEBHOOK,
    find: "if (given === null || expected === null || !(await timingSafeEqual(given, expected)))",
    replace: "if (given === null || (expected !== null && !(await timingSafeEqual(given, expected))))",
    tests: RC_WEBHOOK_TESTS,
  },
  {
    id: "ringcentral-handshake-unchecked",
    area: "carriers",
    bug: "RingCentral Validation-Token echoed without checking it is safe to echo",
    file: RC_WEBHOOK,
    find: 'if (!VALIDATION_TOKEN.test(token)) throw new ApiError(400, "Validation-Token must be 1–256 visible characters");',
    replace: "",
    tests: RC_WEBHOOK_TESTS,
  },
  // ── auth ──
  {
    id: "jwks-algorithm-pin",
    area: "auth",
    bug: "JWKS verification without the RS256/ES256 pin",
    file: REP_JWT,
    find: '{ ...options, algorithms: ["RS256", "ES256"] }',
    replace: "options",
    tests: REP_JWT_TESTS,
  },
  {
    id: "jwt-clock-skew",
    area: "auth",
    bug: "ten minutes of clock skew instead of five seconds",
    file: REP_JWT,
    find: "const CLOCK_SKEW_SECONDS = 5;",
    replace: "const CLOCK_SKEW_SECONDS = 600;",
    tests: REP_JWT_TESTS,
  },
  {
    id: "jwt-exp-optional",
    area: "auth",
    bug: "rep tokens without exp accepted",
    file: REP_JWT,
    find: 'requiredClaims: ["exp", "sub"]',
    replace: 'requiredClaims: ["sub"]',
    tests: REP_JWT_TESTS,
  },
  {
    id: "jwt-iss-unchecked",
    area: "auth",
    bug: "a configured JWT_ISSUER not checked",
    file: REP_JWT,
    find: "...(env.JWT_ISSUER ? { issuer: env.JWT_ISSUER } : {}),",
    replace: "",
    tests: REP_JWT_TESTS,
  },
  {
    id: "jwt-inactive-rep",
    area: "auth",
    bug: "an inactive rep's token still works",
    file: REP_JWT,
    find: 'if (rep.active !== 1) throw new ApiError(403, "Rep is inactive");',
    replace: "",
    tests: REP_JWT_TESTS,
  },
  {
    id: "ticket-access-any-channel",
    area: "auth",
    bug: "a phone user reaches web/email tickets carrying their number",
    file: "src/auth/ticket-access.ts",
    find: '(t.channel === "phone" && t.phone_number === auth.phoneNumber)',
    replace: "t.phone_number === auth.phoneNumber",
    tests: ["test/auth/ticket-access.test.ts", "test/routes/tickets.test.ts"],
  },
  {
    id: "ticket-access-any-tenant",
    area: "auth",
    bug: "the ticket policy forgets the tenant",
    file: "src/auth/ticket-access.ts",
    find: "if (t.customer_id !== auth.customerId) return false;",
    replace: "",
    tests: ["test/auth/ticket-access.test.ts", "test/routes/tickets.test.ts"],
  },
  {
    id: "scope-or-phone-unchecked",
    area: "auth",
    bug: "a rep token without the route's scope passes a rep-or-phone route",
    file: "src/auth/middleware.ts",
    find: 'if (auth.kind === "rep" && !auth.scopes.has(scope)) throw new ApiError(403, `Missing scope: ${scope}`);',
    replace: "",
    tests: ["test/auth/scopes.test.ts"],
  },
  {
    id: "phone-login-attempts-unspent",
    area: "auth",
    bug: "phone-login code attempts not limited",
    file: "src/routes/auth.ts",
    find: 'if (!counted) throw new ApiError(429, "Too many attempts; request a new code");',
    replace: "",
    tests: ["test/routes/phone-login.test.ts"],
  },
  // ── tenancy ──
  {
    id: "get-ticket-any-tenant",
    area: "tenancy",
    bug: "getTicket without its tenant filter",
    file: "src/db/tickets.ts",
    find: '"SELECT * FROM tickets WHERE customer_id = ?1 AND id = ?2"',
    replace: '"SELECT * FROM tickets WHERE (?1 IS NOT NULL) AND id = ?2"',
    tests: ["test/db/tickets.test.ts", "test/routes/tickets.test.ts"],
  },
  {
    id: "get-recording-any-tenant",
    area: "tenancy",
    bug: "getRecording without its tenant filter",
    file: "src/db/recordings.ts",
    find: '"SELECT * FROM recordings WHERE customer_id = ?1 AND id = ?2"',
    replace: '"SELECT * FROM recordings WHERE (?1 IS NOT NULL) AND id = ?2"',
    tests: ["test/db/recordings.test.ts"],
  },
  {
    id: "get-call-any-tenant",
    area: "tenancy",
    bug: "getCall without its tenant filter",
    file: "src/db/calls.ts",
    find: '"SELECT * FROM calls WHERE customer_id = ?1 AND id = ?2"',
    replace: '"SELECT * FROM calls WHERE (?1 IS NOT NULL) AND id = ?2"',
    tests: ["test/routes/voice-call-detail.test.ts"],
  },
  {
    id: "customer-view-leaks-enc",
    area: "tenancy",
    bug: "the encrypted OpenAI key added to customer responses",
    file: "src/routes/customer-view.ts",
    find: "      hasApiKey: c.openai_api_key_enc !== null,",
    replace: "      hasApiKey: c.openai_api_key_enc !== null,\n      apiKeyEnc: c.openai_api_key_enc,",
    tests: ["test/routes/admin.test.ts"],
  },
  // ── barge-in ──
  {
    id: "truncate-rounds-up",
    area: "barge-in",
    bug: "barge-in truncate rounded up, past what was confirmed played",
    file: TRACKER,
    find: "audioEndMs: Math.floor(this.playedMs.get(item) ?? 0)",
    replace: "audioEndMs: Math.ceil(this.playedMs.get(item) ?? 0)",
    tests: TRACKER_TESTS,
  },
  {
    id: "truncate-at-sent",
    area: "barge-in",
    bug: "truncate at what was sent instead of what was played",
    file: TRACKER,
    find: "audioEndMs: Math.floor(this.playedMs.get(item) ?? 0)",
    replace: "audioEndMs: Math.floor(this.sentMs.get(item) ?? 0)",
    tests: TRACKER_TESTS,
  },
  {
    id: "barge-in-keeps-pending",
    area: "barge-in",
    bug: "unconfirmed marks kept after a clear (their echoes then count as played)",
    file: TRACKER,
    find: "    this.reset();\n    if (item !== null) this.sentMs",
    replace: "    if (item !== null) this.sentMs",
    tests: TRACKER_TESTS,
  },
  {
    id: "echo-confirms-only-itself",
    area: "barge-in",
    bug: "a mark echo confirms only its own chunk, not the ones before it",
    file: TRACKER,
    find: "    this.head = i + 1;\n",
    replace:
      "    if (i === this.head) this.head = i + 1;\n" +
      "    else for (const a of [this.names, this.items, this.endMs] as unknown[][]) a.splice(i, 1);\n",
    tests: TRACKER_TESTS,
  },
  {
    id: "barge-in-no-clear",
    area: "barge-in",
    bug: "the carrier's playback is not cleared on barge-in",
    file: "src/live/assistant-bridge.ts",
    find: "      this.caller.clear();\n",
    replace: "",
    tests: ["test/live/barge-in.test.ts"],
  },
  // ── realtime session ──
  {
    id: "renew-mid-reply",
    area: "realtime",
    bug: "renewal no longer waits for the reply in progress",
    file: LINK,
    find: "if (!this.responding) return this.renew();",
    replace: "return this.renew();",
    tests: LINK_TESTS,
  },
  {
    id: "renew-no-grace-limit",
    area: "realtime",
    bug: "a reply that never ends postpones renewal forever",
    file: LINK,
    find: "      if (this.renewDue && gen === this.generation) this.renew();\n",
    replace: "",
    tests: LINK_TESTS,
  },
  {
    id: "reopen-without-carry-over",
    area: "realtime",
    bug: "a reopened session starts without the conversation so far",
    file: LINK,
    find: "if (this.reopensLeft-- > 0) void this.open(true);",
    replace: "if (this.reopensLeft-- > 0) void this.open(false);",
    tests: LINK_TESTS,
  },
  {
    id: "reopen-budget-off-by-one",
    area: "realtime",
    bug: "no reopen at all: the first drop falls back",
    file: LINK,
    find: "if (this.reopensLeft-- > 0)",
    replace: "if (--this.reopensLeft > 0)",
    tests: LINK_TESTS,
  },
  // ── recording durability ──
  {
    id: "recording-race-fallback",
    area: "recordings",
    bug: "two simultaneous deliveries of one RecordingSid: the loser fails instead of returning the winner's row",
    file: TWILIO_REC,
    find: "if (raced) return { recording: raced, created: false };",
    replace: "",
    tests: TWILIO_REC_TESTS,
    testNames: "simultaneous",
  },
  {
    id: "recording-no-idempotency",
    area: "recordings",
    bug: "a stored RecordingSid downloaded and stored again",
    file: TWILIO_REC,
    find: "if (already) return { recording: already, created: false };",
    replace: "",
    tests: TWILIO_REC_TESTS,
    testNames: "idempotent|delivered again",
  },
  {
    id: "recording-bad-wav-kept",
    area: "recordings",
    bug: "a download that is not a WAV is left in R2",
    file: TWILIO_REC,
    find: "    await env.RECORDINGS.delete(key);\n",
    replace: "",
    tests: TWILIO_REC_TESTS,
    testNames: "not a WAV",
  },
  {
    id: "recording-duration-from-callback",
    area: "recordings",
    bug: "duration taken from Twilio's rounded RecordingDuration instead of the WAV",
    file: TWILIO_REC,
    find: "fmt.frames > 0 ? Math.round((fmt.frames / fmt.sampleRate) * 1000) : (e.durationSeconds ?? 0) * 1000",
    replace: "(e.durationSeconds ?? 0) * 1000",
    tests: TWILIO_REC_TESTS,
    testNames: "streams the WAV|bare callback",
  },
  // ── analytics ──
  {
    id: "analytics-completed-not-busy",
    area: "analytics",
    bug: "time-of-day path counts every call not busy/failed as completed",
    file: ANALYTICS,
    find: "COALESCE(SUM(state = 'Completed'), 0) AS completed_calls",
    replace: "COALESCE(SUM(state NOT IN ('Busy', 'Failed')), 0) AS completed_calls",
    tests: ANALYTICS_TESTS,
  },
  {
    id: "analytics-recording-rate-any-state",
    area: "analytics",
    bug: "recording availability counts recordings of calls that did not complete (day path)",
    file: ANALYTICS,
    find: "COALESCE(SUM(CASE WHEN state = 'Completed' AND has_recording = 1 THEN n END), 0) AS completed_with_recording",
    replace: "COALESCE(SUM(CASE WHEN has_recording = 1 THEN n END), 0) AS completed_with_recording",
    tests: ANALYTICS_TESTS,
  },
  {
    id: "analytics-range-inclusive",
    area: "analytics",
    bug: "the range's end included (half-open range broken)",
    file: ANALYTICS,
    find: "parts.push(`${column} < ?${binds.length + 1}`);",
    replace: "parts.push(`${column} <= ?${binds.length + 1}`);",
    tests: ANALYTICS_TESTS,
  },
  {
    id: "analytics-unscored-as-negative",
    area: "analytics",
    bug: "calls without a sentiment counted as negative on the time-of-day path",
    file: ANALYTICS,
    find: "COALESCE(SUM(sentiment = 'negative'), 0) AS negative",
    replace: "COALESCE(SUM(sentiment IS NULL), 0) AS negative",
    tests: ANALYTICS_TESTS,
  },
  // ── rate limits ──
  {
    id: "rate-limit-off-by-one",
    area: "rate-limits",
    bug: "one request fewer than the limit allowed",
    file: LIMITER,
    find: "if (count + cost > limit)",
    replace: "if (count + cost >= limit)",
    tests: LIMITER_TESTS,
  },
  {
    id: "rate-limit-window-never-resets",
    area: "rate-limits",
    bug: "the count carries over into the next window",
    file: LIMITER,
    find: "stored && now >= stored.start && now < stored.start + windowMs ? stored : null",
    replace: "stored ?? null",
    tests: LIMITER_TESTS,
  },
  {
    id: "rate-limit-remaining",
    area: "rate-limits",
    bug: "remaining does not count this request",
    file: LIMITER,
    find: "remaining: limit - count - cost,",
    replace: "remaining: limit - count,",
    tests: LIMITER_TESTS,
  },
  // ── idempotency ──
  {
    id: "phone-ticket-always-new",
    area: "idempotency",
    bug: "each call of one number opens its own phone ticket",
    file: "src/db/tickets.ts",
    find: "WHERE ${openPhoneTicketIdSql(1, 2)} IS NULL`",
    replace: "WHERE 1`",
    tests: ["test/routes/webhook-replays.test.ts"],
  },
  {
    id: "twilio-call-race-fails",
    area: "idempotency",
    bug: "parallel deliveries of one CallSid: the loser fails instead of updating the winner's call",
    file: "src/carriers/twilio/call-record.ts",
    find: "      if (!isUniqueViolation(e)) throw e;\n",
    replace: "      throw e;\n",
    tests: ["test/carriers/twilio/call-record.test.ts", "test/routes/webhook-replays.test.ts"],
  },
];
