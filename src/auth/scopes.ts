/**
 * The scopes a rep token may carry (its `scope` claim, space-separated) and what each allows. Every rep route
 * names the one it needs (README "Scopes" has the route table); `GET /api/me` alone needs none, so a console can
 * learn what its token may do. Phone-auth tokens carry no scopes: their own rules apply (README "Authentication").
 */
export const SCOPES = {
  "tickets:read": "list tickets and read a ticket with its messages",
  "tickets:write": "open tickets and post messages on them",
  "audio:upload": "upload a ticket's audio chunks and finalize them into a recording",
  "audio:download": "download recordings: a ticket's recording, signed recording URLs, recording metadata",
  "voice:read": "call data: voice calls with transcripts, survey results, analytics, conversations, call status",
  "calls:write": "place calls (rep click-to-call, outbound AI calls) and get a browser voice token",
  "campaigns:write": "upload a campaign's numbers, start, pause and resume it",
  "voice:delete": "delete calls and their recordings (docs/data-lifecycle.md)",
  "transcriptions:write": "transcribe an uploaded audio file with the tenant's OpenAI key",
  "realtime:connect": "open a browser WebRTC session with the tenant's OpenAI realtime model",
} as const;

export type Scope = keyof typeof SCOPES;

export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

/**
 * Scopes a broader one includes. SPEC.md names three scopes (`voice:read`, `audio:download`, `tickets:write`) and
 * marks the calling, audio and realtime routes (its sections A, B and G) as open to a "rep", so `tickets:write`, a
 * rep with ticket access (SPEC.md's words for uploadAndFinalize), includes what such a rep does on those routes:
 * read tickets and upload their audio, place calls (every call becomes a ticket) and get a voice token, transcribe,
 * and talk to the AI in the browser. A token granted only one of those names the narrower scope.
 */
const INCLUDED: Partial<Record<Scope, readonly Scope[]>> = {
  "tickets:write": ["tickets:read", "audio:upload", "calls:write", "transcriptions:write", "realtime:connect"],
};

/** The scopes a token's `scope` claim grants: those it names and those they include. */
export function grantedScopes(claim: string): Set<string> {
  const named = claim.split(" ").filter(Boolean);
  return new Set([...named, ...named.flatMap((s) => INCLUDED[s as Scope] ?? [])]);
}

/** The scopes that grant `scope`: itself and every broader one that includes it. */
export function scopesGranting(scope: Scope): Scope[] {
  return ALL_SCOPES.filter((s) => s === scope || INCLUDED[s]?.includes(scope));
}
