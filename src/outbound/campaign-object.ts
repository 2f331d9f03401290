import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { CampaignMemory, type CampaignIdentity } from "./campaign-memory";
import { campaignTick, RECONCILE_MS, type TickResult } from "./campaign-tick";
import type { DialerRegistry } from "./dialer";

/**
 * One object per campaign (`campaign:{customerId}:{campaignId}`): it paces the campaign's calls with its alarm.
 * Every alarm runs one tick (src/outbound/campaign-tick.ts); a kick (start, resume, new contacts, a call that ended)
 * asks for a tick now. The campaign, its contacts and their calls are in D1, the pace in the object's storage, so
 * an evicted or restarted object resumes from its next alarm. Carriers come from the composition root (src/index.ts).
 */
export class CampaignEngine extends DurableObject<Env> {
  private memory = new CampaignMemory(this.ctx.storage.kv);
  /** Ticks run one after another (an RPC tick and an alarm must never place calls side by side). */
  private chain: Promise<unknown> = Promise.resolve();
  /** Kicks received; a tick that sees this change while it runs looks again at once. */
  private kicks = 0;

  constructor(
    ctx: DurableObjectState,
    env: Env,
    private readonly dialers: DialerRegistry,
  ) {
    super(ctx, env);
  }

  /** Asks for a tick now (through the alarm, so the caller does not wait for calls to be placed). */
  async kick(id: CampaignIdentity, origin?: string): Promise<void> {
    this.memory.setIdentity(id);
    if (origin) this.memory.setOrigin(origin);
    this.kicks++;
    await this.ctx.storage.setAlarm(Date.now());
  }

  /** Forgets the campaign (its customer is being deleted, docs/data-lifecycle.md): no alarm, no storage. */
  async purge(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.memory = new CampaignMemory(this.ctx.storage.kv);
  }

  /** Runs one tick at once and answers what it did (tests, diagnostics). */
  async tick(): Promise<TickResult> {
    const run = this.chain.then(() => this.runTick());
    this.chain = run.catch(() => undefined);
    return run;
  }

  override async alarm(): Promise<void> {
    await this.tick();
  }

  private async runTick(): Promise<TickResult> {
    const seen = this.kicks;
    const now = Date.now();
    let result: TickResult;
    try {
      result = await campaignTick(this.env, this.dialers, this.memory, now);
    } catch (e) {
      console.error(
        JSON.stringify({
          level: "error",
          msg: "campaign tick failed",
          campaign: this.memory.identity,
          error: e instanceof Error ? e.message : String(e),
        }),
      );
      result = { status: null, placed: 0, progress: null, wakeAt: now + RECONCILE_MS };
    }
    // A kick that came in while this tick ran may have set an alarm for now; never push it later.
    const wakeAt = this.kicks !== seen ? Date.now() : result.wakeAt;
    if (wakeAt !== null) await this.ctx.storage.setAlarm(Math.max(wakeAt, Date.now()));
    else if (this.kicks === seen) await this.ctx.storage.deleteAlarm();
    return result;
  }
}
