import { getCountryCallingCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/min";

/** The ISO 3166 alpha-2 country of an E.164 number (`+32470…` → `BE`), or null when its numbering plan says none. */
export function countryOf(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.country ?? null;
}

/** The country calling code of an E.164 number (`+1555…` → `1`), known even when no country's plan assigns it. */
export function callingCodeOf(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.countryCallingCode ?? null;
}

/** The calling code of an ISO 3166 alpha-2 country (`BE` → `32`), or null for a code libphonenumber does not know. */
export function callingCodeOfCountry(iso: string): string | null {
  return isSupportedCountry(iso) ? getCountryCallingCode(iso) : null;
}
