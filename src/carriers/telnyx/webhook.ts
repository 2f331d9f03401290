import { getCustomer } from "../../db/customers";
import { isUniqueViolation } from "../../db/unique";
import { readBytesLimited } from "../../lib/body-limit";
import { forbidden } from "../../lib/errors";
import { nowIso } from "../../lib/ids";
import { normalizePhone } from "../../lib/phone";
import { invalid } from "../../lib/validate";
import { telnyxAccountByConnection, telnyxAccountOf, type TelnyxAccount } from "./account";
import { parseTelnyxEvent, type TelnyxEvent } from "./events";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyTelnyxSignature } from "./signature";

/** A webhook body is a few kilobytes; anything this big is not Telnyx's. */
export const MAX_WEBHOOK_BYTES = 64 * 1024;

const text = (v: unknown): string | null => (typeof v === "string" && v.length > 0 && v.length <= 200 ? v : null);

/**
 * The tenant a delivery claims to be for: the account of its `connection_id`, else the one tenant with a Telnyx
 * account owning its `to` (or else `from`) number. Only a claim until the signature is checked with that key.
 */
async function claimedAccount(db: D1Database, payload: Record<string, unknown>): Promise<TelnyxAccount | null> {
  const connectionId = text(payload.connection_id);
  const byConnection = connectionId ? await telnyxAccountByConnection(db, connectionId) : null;
  if (byConnection) return byConnection;
  for (const raw of [payload.to, payload.from]) {
    const number = normalizePhone(text(raw) ?? "");
    if (!number) continue;
    const { results } = await db
      .prepare(
        `SELECT a.* FROM phone_numbers p JOIN carrier_accounts a ON a.customer_id = p.customer_id AND a.carrier = 'telnyx'
         JOIN customers c ON c.id = p.customer_id AND c.deleted_at IS NULL
         WHERE p.number = ?1 LIMIT 2`,
      )
      .bind(number)
      .all<Parameters<typeof telnyxAccountOf>[0]>();
    // A number several tenants list says nothing about which one this is.
    if (results.length === 1) return telnyxAccountOf(results[0]!);
  }
  return null;
}

export interface TelnyxDelivery {
  account: TelnyxAccount;
  event: TelnyxEvent;
}

/**
 * Reads and checks one webhook delivery before anything is written (docs/telnyx.md, "Webhook signatures"):
 * oversized → 413; not JSON (so no tenant to verify it against), no tenant, or a signature that is missing, stale,
 * malformed or not the tenant's → 403 (SPEC.md: anything unverifiable); a verified, handled event without what its
 * record needs → 400 naming the fields.
 */
export async function verifiedTelnyxDelivery(db: D1Database, request: Request): Promise<TelnyxDelivery> {
  const raw = await readBytesLimited(request, MAX_WEBHOOK_BYTES, "Telnyx webhook body");
  const signature = request.headers.get(SIGNATURE_HEADER);
  const timestamp = request.headers.get(TIMESTAMP_HEADER);
  if (!signature || !timestamp) throw forbidden(`Missing ${SIGNATURE_HEADER} or ${TIMESTAMP_HEADER}`);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(raw));
  } catch {
    throw forbidden("The body is not JSON: there is no tenant to verify it against");
  }
  const data = (body as { data?: { payload?: unknown } } | null)?.data;
  const payload = typeof data?.payload === "object" && data.payload !== null ? data.payload : {};
  const account = await claimedAccount(db, payload as Record<string, unknown>);
  // A deleted customer is gone for every lookup at once, its carriers' webhooks included (docs/data-lifecycle.md).
  if (!account || !(await getCustomer(db, account.customerId)))
    throw forbidden("No tenant has this Telnyx connection or number");
  const check = await verifyTelnyxSignature({ publicKey: account.publicKey, signature, timestamp, rawBody: raw });
  if (!check.ok) throw forbidden(`Telnyx signature refused (${check.reason})`);
  const parsed = parseTelnyxEvent(body);
  if (!parsed.ok) throw invalid("body", parsed.issues);
  return { account, event: parsed.event };
}

/** The key an event is remembered by: the tenant's, so no tenant can mark another's events as seen. */
const eventKey = (customerId: number, eventId: string) => `${customerId}:${eventId}`;

export const seenEvent = async (db: D1Database, customerId: number, eventId: string): Promise<boolean> =>
  (await db
    .prepare("SELECT 1 AS seen FROM webhook_events WHERE source = 'telnyx' AND event_id = ?1")
    .bind(eventKey(customerId, eventId))
    .first()) !== null;

/** Marks the event seen (a repeat is harmless), for a batch or alone. */
export const markSeenStmt = (db: D1Database, customerId: number, eventId: string) =>
  db
    .prepare(
      "INSERT INTO webhook_events (source, event_id, customer_id, created_at) VALUES ('telnyx', ?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )
    .bind(eventKey(customerId, eventId), customerId, nowIso());

/**
 * Writes an event's rows and marks it seen in one transaction, the mark first and strict: a redelivery (or a
 * concurrent copy) fails on it and the whole batch is rolled back, so the same event never writes twice.
 * Resolves false for a duplicate.
 */
export async function writeOnce(
  db: D1Database,
  customerId: number,
  eventId: string,
  stmts: D1PreparedStatement[],
): Promise<boolean> {
  const mark = db
    .prepare("INSERT INTO webhook_events (source, event_id, customer_id, created_at) VALUES ('telnyx', ?1, ?2, ?3)")
    .bind(eventKey(customerId, eventId), customerId, nowIso());
  try {
    await db.batch([mark, ...stmts]);
    return true;
  } catch (e) {
    if (isUniqueViolation(e) && (await seenEvent(db, customerId, eventId))) return false;
    throw e;
  }
}
