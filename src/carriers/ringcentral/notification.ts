import { z } from "zod";

/**
 * A telephony-session notification as RingCentral delivers it to our webhook (docs/ringcentral.md, "Notifications").
 * Only the fields we use are kept; unknown ones are ignored, so RingCentral may add fields freely.
 */
const id = z.union([z.string().min(1).max(200), z.number()]).transform(String);
const shortText = z.string().max(500);

const partyEnd = z.object({
  phoneNumber: shortText.optional(),
  name: shortText.optional(),
  extensionId: id.optional(),
  deviceId: id.optional(),
});

export const partySchema = z.object({
  id: id,
  accountId: id.optional(),
  extensionId: id.optional(),
  direction: z.enum(["Inbound", "Outbound"]).optional(),
  from: partyEnd.optional(),
  to: partyEnd.optional(),
  status: z.object({ code: z.string().min(1).max(50), reason: shortText.optional() }),
  missedCall: z.boolean().optional(),
});
export type Party = z.infer<typeof partySchema>;

export const sessionBodySchema = z.object({
  /** Ordering within the session; optional (a notification without one is never stale, see decision.ts). */
  sequence: z.number().int().nonnegative().optional(),
  telephonySessionId: z.string().min(1).max(200),
  sessionId: id.optional(),
  eventTime: z.string().max(64).optional(),
  origin: z.object({ type: z.string().max(50).optional() }).optional(),
  parties: z.array(partySchema).max(50),
});
export type SessionBody = z.infer<typeof sessionBodySchema>;

/** Telephony-session event filters, account-wide or one extension's, with their query filters. */
export const TELEPHONY_EVENT = /^\/restapi\/v1\.0\/account\/[^/?]+(\/extension\/[^/?]+)?\/telephony\/sessions(\?.*)?$/;

/** The envelope: the event it answers to decides whether `body` is a telephony session at all. */
export const envelopeSchema = z.object({
  uuid: z.string().max(200).optional(),
  event: z.string().min(1).max(1000),
  timestamp: z.string().max(64).optional(),
  subscriptionId: z.string().max(200).optional(),
  ownerId: id.optional(),
  body: z.unknown(),
});

export interface TelephonyNotification {
  uuid: string | null;
  subscriptionId: string | null;
  /** The extension that owns the subscription: the JWT's user, the only one whose calls we may control. */
  ownerId: string | null;
  body: SessionBody;
}
