import { base64ToBytes, bytesToBase64, utf8 } from "../../lib/encoding";

/**
 * Telnyx's `client_state`: a base64 string a command sets and Telnyx echoes in every later webhook of the call
 * and in its media stream's `start` frame. Ours is always the base64 of a flat JSON object of strings — the
 * stream parameters our answer attaches (docs/telnyx.md, "How a media stream authenticates"), or a marker.
 */
export function encodeClientState(values: Record<string, string>): string {
  return bytesToBase64(utf8(JSON.stringify(values)));
}

/** The object a client_state carries, or null when it is absent or not one of ours. */
export function decodeClientState(clientState: string | null | undefined): Record<string, string> | null {
  const bytes = clientState ? base64ToBytes(clientState) : null;
  if (!bytes) return null;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const entries = Object.entries(value);
  return entries.every(([, v]) => typeof v === "string") ? Object.fromEntries(entries as [string, string][]) : null;
}

/**
 * Set by `sayAndHangUp` on its `speak`: Telnyx cannot hang up after speaking in one command, so the webhook
 * that sees `call.speak.ended` with this state hangs the call up (docs/telnyx.md, "Wiring").
 */
export const HANGUP_AFTER_SPEAK = { Then: "hangup" } as const;

export const hangsUpAfterSpeak = (clientState: string | null | undefined): boolean =>
  afterSpeak(clientState)?.then === "hangup";

/** Set by a transfer with an announcement on its `speak`: once it has been spoken, the webhook transfers. */
export const transferAfterSpeak = (to: string, from: string | null): Record<string, string> => ({
  Then: "transfer",
  To: to,
  ...(from ? { From: from } : {}),
});

/** What a `call.speak.ended` asks of us, from the client_state our speak set. */
export function afterSpeak(
  clientState: string | null | undefined,
): { then: "hangup" } | { then: "transfer"; to: string; from: string | null } | null {
  const s = decodeClientState(clientState);
  if (s?.Then === HANGUP_AFTER_SPEAK.Then) return { then: "hangup" };
  if (s?.Then === "transfer" && s.To) return { then: "transfer", to: s.To, from: s.From ?? null };
  return null;
}
