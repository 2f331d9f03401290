import { getAssistant } from "../db/assistants";
import {
  campaignProgress,
  claimContact,
  dueContacts,
  nextDueAt,
  updateContact,
  type ContactRow,
  type Progress,
} from "../db/campaign-contacts";
import { getCampaign, transitionCampaign, type CampaignRow, type CampaignStatus } from "../db/campaigns";
import { getCustomer } from "../db/customers";
import { getPhoneNumber } from "../db/phone-numbers";
import type { Env } from "../env";
import { ApiError } from "../lib/errors";
import { publicOriginOf } from "../lib/public-url";
import { UpstreamError } from "../lib/upstream";
import { nextOpening } from "../lib/zoned-time";
import { RATE_WINDOW_MS, type CampaignMemory } from "./campaign-memory";
import { reconcileContacts } from "./campaign-reconcile";
import { callingWindow, machinePolicy, parseDialing, type DialingSettings } from "./campaign-settings";
import type { DialerRegistry } from "./dialer";
import { placeAiCall } from "./place-call";

/** While calls are in progress the campaign looks at their records at least this often. */
export const RECONCILE_MS = 30_000;
/** A placement the carrier could not take for now (unreachable, rate limited, failing) is tried again after this. */
const TRANSIENT_RETRY_MS = 60_000;

export interface TickResult {
  status: CampaignStatus | null;
  placed: number;
  progress: Progress | null;
  /** When the campaign needs its next tick; null when nothing is left to do until someone kicks it. */
  wakeAt: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Why the campaign cannot place calls now (then it is paused with this as its error), or null. */
async function cannotDial(env: Env, c: CampaignRow, origin: string | null): Promise<string | null> {
  if (c.assistant_id === null || !(await getAssistant(env.DB, c.customer_id, c.assistant_id)))
    return "the campaign has no assistant";
  if (c.caller_id === null || !(await getPhoneNumber(env.DB, c.customer_id, c.caller_id)))
    return `the caller ID ${c.caller_id ?? "(none)"} is not a number of this account`;
  if (!origin) return "no public origin is known for the calls' webhooks (set PUBLIC_BASE_URL)";
  return null;
}

/** A failure the carrier may get over (unreachable, rate limited, its own fault), as opposed to a refused number. */
const transient = (e: unknown) => e instanceof UpstreamError && (e.status === 0 || e.status === 429 || e.status >= 500);

async function placementFailed(db: D1Database, c: ContactRow, e: unknown, now: number): Promise<void> {
  const error = (e instanceof Error ? e.message : String(e)).slice(0, 500);
  if (transient(e)) {
    await updateContact(db, c.customer_id, c.id, {
      state: "pending",
      attempts: Math.max(0, c.attempts - 1),
      next_attempt_at: iso(now + TRANSIENT_RETRY_MS),
      last_call_id: null,
      last_error: error,
    });
  } else {
    await updateContact(db, c.customer_id, c.id, {
      state: "failed",
      last_call_id: null,
      last_outcome: "failed",
      last_error: error,
    });
  }
}

/** Places the due contacts the pace allows (calls per minute and calls at once); returns how many it placed. */
async function placeDue(
  env: Env,
  dialers: DialerRegistry,
  memory: CampaignMemory,
  c: CampaignRow,
  settings: DialingSettings,
  progress: Progress,
  origin: string,
  now: number,
): Promise<{ placed: number; pauseFor: string | null }> {
  const { pace } = settings;
  const budget = Math.min(
    pace.maxConcurrent - progress.in_progress,
    pace.callsPerMinute - memory.recentPlacements(now).length,
  );
  let placed = 0;
  if (budget <= 0) return { placed, pauseFor: null };
  for (const due of await dueContacts(env.DB, c.customer_id, c.id, iso(now), budget)) {
    const contact = await claimContact(env.DB, c.customer_id, due.id);
    if (!contact) continue;
    memory.notePlacement(now);
    try {
      await placeAiCall(env, dialers, {
        customerId: c.customer_id,
        repId: null,
        assistantId: c.assistant_id!,
        to: contact.number,
        from: c.caller_id!,
        campaignId: c.id,
        metadata: contact.metadata_json ? (JSON.parse(contact.metadata_json) as Record<string, unknown>) : null,
        welcomeMessage: settings.welcomeMessage ?? null,
        onMachine: machinePolicy(settings),
        origin,
        beforeDial: (call) => updateContact(env.DB, c.customer_id, contact.id, { last_call_id: call.id }),
      });
      placed++;
    } catch (e) {
      await placementFailed(env.DB, contact, e, now);
      // No carrier account: nothing else can be placed either.
      if (e instanceof ApiError && e.status === 409) return { placed, pauseFor: e.message };
    }
  }
  return { placed, pauseFor: null };
}

/** When the campaign must look again: calls to reconcile, the window opening, the pace freeing up, a retry due. */
async function wakeTime(
  env: Env,
  memory: CampaignMemory,
  c: CampaignRow,
  settings: DialingSettings,
  p: Progress,
  opensAt: number | null,
  now: number,
): Promise<number | null> {
  const times: number[] = [];
  if (p.in_progress > 0) times.push(now + RECONCILE_MS);
  if (c.status === "running" && p.pending > 0) {
    if (opensAt !== now) {
      if (opensAt !== null) times.push(opensAt);
    } else if (p.in_progress < settings.pace.maxConcurrent) {
      const recent = memory.recentPlacements(now);
      const due = Date.parse((await nextDueAt(env.DB, c.customer_id, c.id)) ?? iso(now));
      const paced = recent.length >= settings.pace.callsPerMinute ? recent[0]! + RATE_WINDOW_MS : now;
      times.push(Math.max(due, paced, now));
    }
  }
  return times.length ? Math.min(...times) : null;
}

/**
 * One step of a campaign (its object runs it on every alarm): settle the calls that ended, finish or pause the
 * campaign when it is due, place what the pace and the calling hours allow, and say when to look again. Everything
 * it decides on is in D1 and the object's storage, so a restarted object carries on where it stood.
 */
export async function campaignTick(
  env: Env,
  dialers: DialerRegistry,
  memory: CampaignMemory,
  now: number,
): Promise<TickResult> {
  const id = memory.identity;
  let c = id ? await getCampaign(env.DB, id.customerId, id.campaignId) : null;
  if (!c) return { status: null, placed: 0, progress: null, wakeAt: null };
  const settings = parseDialing(c.dialing_json);
  await reconcileContacts(env, dialers, memory, c, settings, now);
  let progress = await campaignProgress(env.DB, c.customer_id, c.id);
  const transition = async (to: CampaignStatus, error: string | null = null) =>
    (c = (await transitionCampaign(env.DB, c!.customer_id, c!.id, ["running"], to, error)) ?? c!);

  let placed = 0;
  let opensAt: number | null = null;
  if (c.status === "running" && progress.pending > 0) {
    const origin = env.PUBLIC_BASE_URL ? publicOriginOf(env, "") : memory.origin;
    const blocked = await cannotDial(env, c, origin);
    const customer = blocked ? null : await getCustomer(env.DB, c.customer_id);
    if (blocked || !customer) await transition("paused", blocked ?? "the customer is gone");
    else {
      opensAt = nextOpening(now, callingWindow(settings), customer.time_zone);
      if (opensAt === now) {
        const r = await placeDue(env, dialers, memory, c, settings, progress, origin!, now);
        placed = r.placed;
        if (r.pauseFor) await transition("paused", r.pauseFor);
        progress = await campaignProgress(env.DB, c.customer_id, c.id);
      }
    }
  }
  if (c.status === "running" && progress.pending + progress.in_progress === 0) await transition("completed");
  return {
    status: c.status,
    placed,
    progress,
    wakeAt: await wakeTime(env, memory, c, settings, progress, opensAt, now),
  };
}
