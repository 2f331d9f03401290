import type { Party } from "../../../src/carriers/ringcentral/notification";

/** A party of a telephony-session notification: inbound to `extensionId`, in status `code`. */
export const partyOf = (extensionId: string, code: string, over: Partial<Party> = {}): Party => ({
  id: "p-1",
  extensionId,
  direction: "Inbound",
  from: { phoneNumber: "+32470123456" },
  to: { phoneNumber: "+3225550199", extensionId },
  status: { code },
  ...over,
});
