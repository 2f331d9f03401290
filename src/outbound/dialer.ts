/**
 * The seam between outbound calling (an API call, a campaign) and the carriers that place the calls, like the live
 * engine's src/live/carrier.ts: this layer names no carrier; each carrier under src/carriers/<name>/ implements a
 * `Dialer`, and the composition root (src/index.ts) and the routes take the registry from src/carriers/registry.ts.
 */
import type { CallState } from "../db/calls";
import { getCarrierAccount } from "../db/carrier-accounts";
import type { Env } from "../env";
import { ApiError } from "../lib/errors";

/** What an outbound AI call does when answering-machine detection says a machine (or a fax) picked up. */
export type MachineAction = "hangup" | "message" | "continue";
export interface MachinePolicy {
  action: MachineAction;
  /** Spoken to the machine when `action` is `message` (after its greeting ends). */
  message: string | null;
}

export interface AiCallOrder {
  /** Our call record, already written; the carrier's webhook finds it by this id. */
  callId: string;
  assistantId: number;
  to: string;
  from: string;
  welcomeMessage: string | null;
  onMachine: MachinePolicy;
  /** This Worker's public origin: where the carrier's webhooks for the call go. */
  origin: string;
}

export interface Dialer {
  /** The `calls.carrier` value of the calls it places. */
  readonly carrier: string;
  /**
   * Asks the carrier to place the call, with answering-machine detection, status callbacks, and this Worker's
   * assistant answering when the callee picks up. Throws UpstreamError (the carrier refused) or ApiError.
   */
  placeAiCall(env: Env, customerId: number, order: AiCallOrder): Promise<{ callRef: string }>;
  /** The carrier's view of a call (for a call whose callbacks never came). */
  status(env: Env, customerId: number, callRef: string): Promise<CallState>;
}

export type DialerRegistry = ReadonlyMap<string, Dialer>;

export const dialerRegistry = (...dialers: Dialer[]): DialerRegistry => new Map(dialers.map((d) => [d.carrier, d]));

/** The tenant's carrier for outbound calls: the first one in the registry it has an account with. */
export async function dialerFor(env: Env, dialers: DialerRegistry, customerId: number): Promise<Dialer> {
  for (const d of dialers.values()) if (await getCarrierAccount(env.DB, customerId, d.carrier)) return d;
  throw new ApiError(409, "This customer has no carrier account that can place outbound calls");
}
