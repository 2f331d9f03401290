import { z } from "zod";

/**
 * A Twilio SID: its two-letter prefix (`AC` account, `CA` call, `RE` recording, …) and, from Twilio, 32 hex digits.
 * Letters and digits of any case are accepted after the prefix, as in Twilio's own docs and test values
 * (`ACXXXXXXXX…`, `CA1234567890ABCDE`): the prefix says what the SID names, and nothing but letters and digits can
 * reach a storage key, object name or URL built from it.
 */
export const twilioSid = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}[0-9A-Za-z]{1,64}$`), `must be ${prefix} followed by letters and digits`);

export const callSid = twilioSid("CA");
