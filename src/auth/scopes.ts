/**
 * The scopes a rep token may carry (its `scope` claim, space-separated) and what each allows. Every rep route
 * names the one it needs (README "Scopes" has the route table), except those SPEC.md and its seeds open to any
 * representative JWT: `GET /api/me` (so a console can learn what its token may do), the calling routes, the
 * browser's realtime session, file transcription, analytics, recording metadata and conversations. Phone-auth
 * tokens carry no scopes: their own rules apply (README "Authentication").
 */
export const SCOPES = {
  "tickets:read": "list tickets and read a ticket with its messages",
  "tickets:write": "open tickets and post messages on them",
  "audio:upload": "upload a ticket's audio chunks and finalize them into a recording",
  "audio:download": "download recordings: a ticket's recording, signed recording URLs, recording metadata",
  "voice:read": "call data: voice calls with transcripts, survey results, campaigns",
  "calls:write": "place outbound AI calls through the API",
  "campaigns:write": "upload a campaign's numbers, start, pause and resume it",
  "voice:delete": "delete calls and their recordings (docs/data-lifecycle.md)",
} as const;

export type Scope = keyof typeof SCOPES;

export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

/**
 * Scopes a broader one includes. SPEC.md names three scopes (`voice:read`, `audio:download`, `tickets:write`);
 * `tickets:write`, a rep with ticket access (SPEC.md's words for uploadAndFinalize), includes reading tickets,
 * uploading their audio, placing outbound AI calls (each becomes a ticket) and deleting calls (as it may delete
 * tickets and their recordings), so a token with SPEC.md's three scopes reaches every route SPEC.md lists or implies
 * (section H's deletions). A token meant for one of those only names the narrower scope.
 */
const INCLUDED: Partial<Record<Scope, readonly Scope[]>> = {
  "tickets:write": ["tickets:read", "audio:upload", "calls:write", "voice:delete"],
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
