/**
 * Normalizes a phone number to `+digits` (E.164 shape): spaces, dashes, dots and parentheses are stripped,
 * a `00` international prefix becomes `+`. Anything else — letters, a missing country prefix, too few or
 * too many digits — is not a number we dial: null.
 */
export function normalizePhone(input: string): string | null {
  const stripped = input.trim().replace(/[\s\-.()]/g, "");
  const plus = stripped.startsWith("00") ? `+${stripped.slice(2)}` : stripped;
  return /^\+[1-9]\d{5,14}$/.test(plus) ? plus : null;
}
