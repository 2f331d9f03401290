import { z } from "zod";

/** A Twilio SID: its two-letter prefix (`AC` account, `CA` call, `RE` recording, …) and 32 hex digits. */
export const twilioSid = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `must be ${prefix} followed by 32 hex digits`);

export const callSid = twilioSid("CA");
