/**
 * Webhook signing of the fake Telnyx: a real Ed25519 key pair per account (node:crypto), deliveries signed as
 * Telnyx signs them — `telnyx-signature-ed25519` = base64 Ed25519 over `{telnyx-timestamp}|{raw body}` — and
 * the envelope Telnyx wraps every event in (docs/telnyx.md, "Webhook envelope").
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";

export interface Signer {
  /** The form Mission Control shows: base64 of the 32 raw key bytes. */
  publicKey: string;
  publicKeyPem: string;
  sign(body: string, timestamp: number): string;
}

export function newSigner(): Signer {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" }) as { x: string };
  return {
    publicKey: Buffer.from(jwk.x, "base64url").toString("base64"),
    publicKeyPem: String(publicKey.export({ type: "spki", format: "pem" })).trim(),
    sign: (body, timestamp) => signWith(privateKey, body, timestamp),
  };
}

const signWith = (key: KeyObject, body: string, timestamp: number) =>
  sign(null, Buffer.from(`${timestamp}|${body}`, "utf8"), key).toString("base64");

export interface EventSpec {
  eventType: string;
  payload: Record<string, unknown>;
  id?: string;
  occurredAt?: string;
  attempt?: number;
  deliveredTo?: string;
}

/** `{data: {record_type, id, event_type, occurred_at, payload}, meta: {attempt, delivered_to}}`. */
export function envelope(e: EventSpec): Record<string, unknown> {
  return {
    data: {
      record_type: "event",
      id: e.id ?? randomUUID(),
      event_type: e.eventType,
      occurred_at: e.occurredAt ?? new Date().toISOString(),
      payload: e.payload,
    },
    meta: {
      attempt: e.attempt ?? 1,
      delivered_to: e.deliveredTo ?? "https://voicedesk.test/api/webhooks/telnyx/voice",
    },
  };
}

export interface SignRequest {
  /** The event to wrap in Telnyx's envelope, or `body`: the exact text to sign and send. */
  event?: EventSpec;
  body?: string;
  /** Unix seconds; now unless a test wants a stale or future delivery. */
  timestamp?: number;
}

export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

export function signDelivery(signer: Signer, r: SignRequest): SignedDelivery {
  const body = r.body ?? JSON.stringify(envelope(r.event ?? { eventType: "call.initiated", payload: {} }));
  const timestamp = r.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "telnyx-signature-ed25519": signer.sign(body, timestamp),
      "telnyx-timestamp": String(timestamp),
      "user-agent": "telnyx-webhooks",
    },
  };
}
