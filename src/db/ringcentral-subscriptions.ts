import { nowIso } from "../lib/ids";

/** A tenant's RingCentral webhook subscription (migrations/0007_ringcentral.sql). */
export interface RingCentralSubscriptionRow {
  customer_id: number;
  subscription_id: string | null;
  event_filter: string;
  address: string;
  verification_token_enc: string;
  expires_at: string | null;
  status: "Pending" | "Active" | "Blacklisted";
  created_at: string;
  updated_at: string;
}

export const getRingCentralSubscription = (db: D1Database, customerId: number) =>
  db
    .prepare("SELECT * FROM ringcentral_subscriptions WHERE customer_id = ?1")
    .bind(customerId)
    .first<RingCentralSubscriptionRow>();

/** A new subscription is under way: its token and address replace the tenant's previous ones. */
export async function startRingCentralSubscription(
  db: D1Database,
  f: { customerId: number; eventFilter: string; address: string; verificationTokenEnc: string },
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO ringcentral_subscriptions (customer_id, subscription_id, event_filter, address, verification_token_enc,
                                              expires_at, status, created_at, updated_at)
       VALUES (?1, NULL, ?2, ?3, ?4, NULL, 'Pending', ?5, ?5)
       ON CONFLICT (customer_id) DO UPDATE SET
         subscription_id = NULL, event_filter = excluded.event_filter, address = excluded.address,
         verification_token_enc = excluded.verification_token_enc, expires_at = NULL, status = 'Pending',
         updated_at = excluded.updated_at`,
    )
    .bind(f.customerId, f.eventFilter, f.address, f.verificationTokenEnc, nowIso())
    .run();
}

/** RingCentral created or renewed the subscription: its id, expiry and status. */
export async function saveRingCentralSubscription(
  db: D1Database,
  customerId: number,
  f: { subscriptionId: string; expiresAt: string; status: RingCentralSubscriptionRow["status"] },
): Promise<void> {
  await db
    .prepare(
      `UPDATE ringcentral_subscriptions SET subscription_id = ?2, expires_at = ?3, status = ?4, updated_at = ?5
       WHERE customer_id = ?1`,
    )
    .bind(customerId, f.subscriptionId, f.expiresAt, f.status, nowIso())
    .run();
}

/**
 * Subscriptions the cron trigger must look after, every tenant's: expiring before `before` or no longer Active,
 * and creations that failed (no subscription id, untouched since `stalledBefore`: not one under way right now).
 * Not scoped to a tenant, by design: it is what finds the tenants (deleted ones excepted: they await the purge).
 */
export async function listDueRingCentralSubscriptions(
  db: D1Database,
  f: { before: string; stalledBefore: string; limit: number },
): Promise<RingCentralSubscriptionRow[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM ringcentral_subscriptions
       WHERE ((subscription_id IS NOT NULL AND (expires_at IS NULL OR expires_at < ?1 OR status != 'Active'))
          OR (subscription_id IS NULL AND updated_at < ?2))
         AND customer_id IN (SELECT id FROM customers WHERE deleted_at IS NULL)
       ORDER BY expires_at LIMIT ?3`,
    )
    .bind(f.before, f.stalledBefore, f.limit)
    .all<RingCentralSubscriptionRow>();
  return results;
}
