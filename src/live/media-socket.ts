import type { Leg, MediaWire, ParsedFrame } from "./carrier";
import type { CallPlan } from "./call-plan";
import { checkStreamToken, type StreamGrant } from "./stream-token";
import type { Env } from "../env";

/** An unauthenticated socket may send this many frames (a carrier's greeting) before its `start`, then is closed. */
export const MAX_FRAMES_BEFORE_START = 8;

/** One carrier media-stream socket of a call's object, from its upgrade until it closes. */
export class MediaSocket {
  /** The leg this socket streams, once its `start` was admitted. */
  leg: Leg | null = null;
  /** A `start` arrived (the first one decides; later ones are ignored). */
  private startSeen = false;
  private framesBeforeStart = 0;

  constructor(
    /** The name of the call's object the socket was addressed to. */
    readonly key: string,
    readonly origin: string,
    readonly carrier: string,
    readonly wire: MediaWire,
  ) {}

  /**
   * Counts a frame arriving before any `start`; false once the socket has talked too long without starting, so
   * nothing unauthenticated is queued without bound.
   */
  mayQueue(parsed: ParsedFrame): boolean {
    if (this.startSeen) return true;
    if (parsed.ok && parsed.event.kind === "start") this.startSeen = true;
    else return ++this.framesBeforeStart <= MAX_FRAMES_BEFORE_START;
    return true;
  }

  /**
   * The grant a `start`'s parameters claim, when their StreamToken admits it: minted for this object, this leg and
   * this call, and unexpired — or expired, for a leg that already streamed and comes back after a restart.
   */
  async admitted(env: Env, params: Record<string, string>, streamed: (leg: Leg) => boolean) {
    const leg: Leg = params.Leg === "receiver" ? "receiver" : "caller";
    const grant: StreamGrant = {
      customerId: Number(params.CustomerId),
      key: this.key,
      leg,
      callId: params.CallId ?? "",
    };
    if (!Number.isInteger(grant.customerId)) return null;
    const check = await checkStreamToken(env, grant, params.StreamToken ?? "");
    return check === "ok" || (check === "expired" && streamed(leg)) ? grant : null;
  }

  /** Whether the call `plan` describes is the one the grant was minted for, on this socket's carrier. */
  matches(grant: StreamGrant, plan: CallPlan): boolean {
    return (
      plan.customerId === grant.customerId && plan.carrier === this.carrier && (plan.callId ?? "") === grant.callId
    );
  }
}
