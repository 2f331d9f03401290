/**
 * The tenant's WebHook subscription to its telephony sessions: created (or renewed) by the admin API, renewed
 * before it expires by the cron trigger (docs/ringcentral.md, "Subscribing").
 */
import { encryptSecret } from "../../auth/crypto";
import {
  getRingCentralSubscription,
  listDueRingCentralSubscriptions,
  saveRingCentralSubscription,
  startRingCentralSubscription,
  type RingCentralSubscriptionRow,
} from "../../db/ringcentral-subscriptions";
import type { Env } from "../../env";
import { bytesToHex } from "../../lib/encoding";
import { UpstreamError } from "../../lib/upstream";
import { loadRingCentralAccount, type RingCentralAccount } from "./account";
import { failureFields, logRingCentral } from "./errors";
import { RingCentralRest, type SubscriptionInfo } from "./rest";
import type { RetryOptions } from "./retry";

/**
 * The JWT user's own telephony sessions. Not the account-wide filter: only a call's owner may control it, so
 * other extensions' calls would be notifications we can act on never (and call records of other people's calls).
 */
export const EVENT_FILTER = "/restapi/v1.0/account/~/extension/~/telephony/sessions";
/** What we ask for; RingCentral allows WebHook subscriptions up to 10 years, a week keeps renewal exercised. */
export const SUBSCRIPTION_TTL_S = 7 * 24 * 60 * 60;
/** The cron trigger renews subscriptions expiring within this: two days of hourly runs to get it done. */
export const RENEW_BEFORE_MS = 2 * 24 * 60 * 60 * 1000;
/** Per cron run (each renewal is a token and a renew request: well inside a Worker's subrequest budget). */
export const CRON_BATCH = 25;
/** A creation untouched for this long has failed (the cron trigger then tries again). */
const STALLED_MS = 10 * 60 * 1000;

export const webhookAddress = (origin: string, customerId: number) =>
  `${origin.replace(/\/+$/, "")}/api/webhooks/ringcentral/${customerId}`;

export interface SubscriptionView {
  subscriptionId: string;
  status: RingCentralSubscriptionRow["status"];
  expiresAt: string;
  eventFilter: string;
  address: string;
  /** What this call did. */
  action: "created" | "renewed";
}

/** 24 random bytes as hex: the Verification-Token RingCentral will send back with every notification. */
const newVerificationToken = () => bytesToHex(crypto.getRandomValues(new Uint8Array(24)));

async function saved(
  env: Env,
  customerId: number,
  info: SubscriptionInfo,
  address: string,
  action: SubscriptionView["action"],
): Promise<SubscriptionView> {
  const at = info.expirationTime ? Date.parse(info.expirationTime) : NaN;
  const expiresAt = new Date(
    Number.isFinite(at) ? at : Date.now() + (info.expiresIn ?? SUBSCRIPTION_TTL_S) * 1000,
  ).toISOString();
  const status = info.status === "Blacklisted" ? "Blacklisted" : "Active";
  await saveRingCentralSubscription(env.DB, customerId, { subscriptionId: info.id, expiresAt, status });
  return { subscriptionId: info.id, status, expiresAt, eventFilter: EVENT_FILTER, address, action };
}

/**
 * A new subscription. The token is stored (encrypted) before RingCentral is asked: it validates the address with
 * a handshake during the request, and the first notifications may arrive before its answer does.
 */
async function create(env: Env, rest: RingCentralRest, address: string): Promise<SubscriptionView> {
  const customerId = rest.account.customerId;
  const token = newVerificationToken();
  const verificationTokenEnc = await encryptSecret(env, token);
  await startRingCentralSubscription(env.DB, { customerId, eventFilter: EVENT_FILTER, address, verificationTokenEnc });
  const info = await rest.createSubscription({
    eventFilters: [EVENT_FILTER],
    deliveryMode: { transportType: "WebHook", address, verificationToken: token },
    expiresIn: SUBSCRIPTION_TTL_S,
  });
  return saved(env, customerId, info, address, "created");
}

/** Renews the stored subscription; one RingCentral no longer has (404) or stopped delivering to is created anew. */
async function renew(env: Env, rest: RingCentralRest, row: RingCentralSubscriptionRow): Promise<SubscriptionView> {
  if (!row.subscription_id || row.status === "Blacklisted") return create(env, rest, row.address);
  let info: SubscriptionInfo;
  try {
    info = await rest.renewSubscription(row.subscription_id);
  } catch (e) {
    if (!(e instanceof UpstreamError) || e.status !== 404) throw e;
    logRingCentral("warn", "subscription gone; creating a new one", { customerId: row.customer_id });
    return create(env, rest, row.address);
  }
  if (info.status === "Blacklisted") return create(env, rest, row.address);
  return saved(env, row.customer_id, info, row.address, "renewed");
}

/** The admin API's "create (or renew)": renews a live subscription to the same address, else creates one. */
export async function ensureSubscription(
  env: Env,
  account: RingCentralAccount,
  origin: string,
  opts: RetryOptions = {},
): Promise<SubscriptionView> {
  const rest = new RingCentralRest(env, account, opts);
  const address = webhookAddress(origin, account.customerId);
  const row = await getRingCentralSubscription(env.DB, account.customerId);
  const live = row?.subscription_id && row.expires_at && Date.parse(row.expires_at) > Date.now();
  if (row && live && row.address === address) return renew(env, rest, row);
  return create(env, rest, address);
}

export interface RenewalReport {
  renewed: number;
  created: number;
  failed: number;
}

/**
 * The cron trigger's work: every subscription expiring within RENEW_BEFORE_MS of `now` (or whose creation failed)
 * is renewed or created anew. One tenant's failure is logged and does not stop the others; the next run retries.
 */
export async function renewDueSubscriptions(env: Env, now: number, opts: RetryOptions = {}): Promise<RenewalReport> {
  const report: RenewalReport = { renewed: 0, created: 0, failed: 0 };
  const rows = await listDueRingCentralSubscriptions(env.DB, {
    before: new Date(now + RENEW_BEFORE_MS).toISOString(),
    stalledBefore: new Date(now - STALLED_MS).toISOString(),
    limit: CRON_BATCH,
  });
  for (const row of rows) {
    try {
      const account = await loadRingCentralAccount(env, row.customer_id);
      if (!account) throw new Error("the customer has no RingCentral account any more");
      const view = await renew(env, new RingCentralRest(env, account, opts), row);
      report[view.action]++;
    } catch (e) {
      report.failed++;
      logRingCentral("error", "subscription renewal failed", { customerId: row.customer_id, ...failureFields(e) });
    }
  }
  return report;
}
