import type { Env } from "../env";
import { AudioStore } from "../recordings/audio-store";
import { buildPlan } from "./call-plan";
import type { CarrierRegistry } from "./carrier";
import type { ToolFetch } from "./http-tool";
import { LiveCall } from "./live-call";
import type { LiveState } from "./live-state";

/**
 * A call object's call in memory: built from the stream's parameters the first time, rebuilt from storage after a
 * restart, loaded once however many frames ask for it at the same time, and forgotten when the call is deleted.
 */
export class LoadedCall {
  private pending: Promise<LiveCall | null> | null = null;
  /** The call once loaded, for the synchronous hot path. */
  now: LiveCall | null = null;
  private audio: AudioStore | null = null;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly env: Env,
    private readonly carriers: CarrierRegistry,
    private readonly toolFetch: ToolFetch,
    private readonly state: () => LiveState,
  ) {}

  /** The call; `params` and `carrier` (a stream's `start`) build it when nothing is stored yet. */
  get(params: Record<string, string> | null, carrier: string | null): Promise<LiveCall | null> {
    this.pending ??= this.load(params, carrier).then(
      (live) => (this.now = live),
      (e: unknown) => {
        this.pending = null; // the next frame or alarm tries again
        throw e;
      },
    );
    return this.pending;
  }

  /** The call if it is loaded or loading; never starts a load. */
  async ifLoaded(): Promise<LiveCall | null> {
    return this.pending ? this.pending.catch(() => null) : null;
  }

  /** Created on first use, so a socket that never authenticates leaves no tables behind. */
  get store(): AudioStore {
    // The frame batcher writes each frame once, so the store need not dedupe; a batch commits with whatever else
    // the call writes in the same turn (usually nothing), one commit per batch.
    return (this.audio ??= AudioStore.coalescedWith(this.storage, { neverRetried: true }));
  }

  /** The call is being deleted: it stops at once and nothing of it stays in memory. */
  forget(): void {
    this.now?.abandon();
    this.pending = null;
    this.now = null;
    this.audio = null;
  }

  private async load(params: Record<string, string> | null, streamCarrier: string | null): Promise<LiveCall | null> {
    const state = this.state();
    if (state.ended) return null;
    let plan = state.plan;
    if (!plan) {
      if (!params || !streamCarrier) return null;
      plan = await buildPlan(this.env, params, streamCarrier);
      state.setPlan(plan);
    }
    const carrier = this.carriers.get(plan.carrier);
    if (!carrier) throw new Error(`the call's carrier "${plan.carrier}" is not available`);
    return LiveCall.create(this.env, state, plan, this.store, carrier, this.toolFetch);
  }
}
