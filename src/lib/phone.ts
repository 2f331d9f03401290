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

/**
 * A phone number as a query string carries it, before normalizePhone: form decoding (x-www-form-urlencoded) turns
 * '+' into a space, so `?phoneNumber=+15551234567` arrives as " 15551234567". A leading space before a digit is the
 * '+' it was, and is put back. For query strings only (a JSON body's space is a space):
 * `z.string().transform(queryPhone).pipe(phoneNumber)`.
 */
export const queryPhone = (input: string): string => input.replace(/^ (?=\d)/, "+");
