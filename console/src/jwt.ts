/** Reading (not verifying) JWTs in the browser: the Worker verifies; the console only shows claims and expiry. */
export interface Claims {
  sub?: string;
  scope?: string;
  /** seconds since the epoch */
  exp?: number;
}

/** The payload of a JWT, or null when the text is not one (three base64url parts, a JSON object in the middle). */
export function decodeJwt<T = Claims>(token: string): T | null {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) return null;
  try {
    const b64 = parts[1]!.replace(/-/g, "+").replace(/_/g, "/");
    const json = new TextDecoder().decode(Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0)));
    const payload: unknown = JSON.parse(json);
    return typeof payload === "object" && payload !== null ? (payload as T) : null;
  } catch {
    return null;
  }
}

/** What is wrong with a pasted token before the server is asked, or null. */
export function tokenProblem(text: string, now = Date.now()): string | null {
  if (!text) return "Paste a rep token first.";
  const claims = decodeJwt(text);
  if (!claims)
    return "This is not a JWT (three base64url parts separated by dots). Copy the whole line `npm run token` prints.";
  if (typeof claims.exp === "number" && claims.exp * 1000 <= now)
    return `This token expired at ${new Date(claims.exp * 1000).toLocaleString()}. Get a fresh one with \`npm run token\`.`;
  return null;
}
