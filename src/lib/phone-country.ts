import { parsePhoneNumberFromString } from "libphonenumber-js/min";

/** The ISO 3166 alpha-2 country of an E.164 number (`+32470…` → `BE`), or null when its numbering plan says none. */
export function countryOf(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.country ?? null;
}
