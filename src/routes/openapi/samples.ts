import { ref } from "./define";

/**
 * Sample values of the documented examples. Each names the test fixture it stands for
 * (test/openapi/fixture.ts), so the examples are sent with real ids of a provisioned tenant.
 */
export const S = {
  customerId: ref("customerId", 42),
  repId: ref("repId", 7),
  repNumber: ref("repNumber", "+3225550101"),
  ticketId: ref("ticketId", 1201),
  callId: ref("callId", "vc_3f9a1c0e7b2d4a6f8e1c5b9d"),
  campaignId: ref("campaignId", 12),
  assistantId: ref("assistantId", 5),
  toolId: ref("toolId", 9),
  accountSid: ref("accountSid", "AC0123456789abcdef0123456789abcdef"),
  recordingId: ref("recordingId", "rec_8c1d2e3f4a5b6c7d8e9f0a1b"),
  /** A number the example adds; the fixture gives each run its own. */
  newNumber: ref("newNumber", "+3225550199"),
} as const;

/** Ids no tenant has: the 404 examples. */
export const UNKNOWN = { int: 987654321, call: "vc_000000000000000000000000" } as const;
