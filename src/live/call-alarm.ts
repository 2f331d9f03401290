import type { Env } from "../env";
import type { LiveCall } from "./live-call";
import type { LiveState } from "./live-state";

const DEFAULT_SILENCE_MS = 60_000;
/** A prepared call whose media stream never starts is given up after this long. */
export const PREPARE_TIMEOUT_MS = 60_000;

/**
 * The call object's one alarm (a Durable Object has one): whichever comes first of the idle deadline (no frame
 * for the silence timeout; before the stream starts, the prepare timeout), a ringing receiver's dial deadline,
 * and a finalize retry (src/live/finalize-retry.ts).
 */
export class CallAlarm {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly env: Env,
  ) {}

  /** Sets the alarm `inMs` from now; never sooner than a second, so a late call cannot spin it. */
  async in(inMs: number): Promise<void> {
    await this.storage.setAlarm(Date.now() + Math.max(1000, inMs));
  }

  /** When the call counts as abandoned: no frame for the silence timeout, or (not started) the prepare timeout. */
  idleDeadline(state: LiveState, live: LiveCall): number {
    if (state.epoch === null) return (state.preparedAt ?? 0) + PREPARE_TIMEOUT_MS;
    return live.lastActivity + this.silenceMs(state);
  }

  /** The earliest of the idle deadline and a ringing receiver's dial deadline. */
  async next(state: LiveState, live: LiveCall): Promise<void> {
    const dial = live.receiver?.deadline() ?? Infinity;
    await this.in(Math.min(this.idleDeadline(state, live), dial) - Date.now());
  }

  private silenceMs(state: LiveState): number {
    return state.options.silenceTimeoutMs ?? (Number(this.env.CALL_SILENCE_TIMEOUT_MS) || DEFAULT_SILENCE_MS);
  }
}
