import { deleteUnplacedCall, insertCall, updateCall, type CallRow } from "../db/calls";
import type { Env } from "../env";
import { dialerFor, type DialerRegistry, type MachinePolicy } from "./dialer";

export interface AiCallRequest {
  customerId: number;
  /** The rep who placed it through the API; null for a campaign's calls. */
  repId: number | null;
  assistantId: number;
  to: string;
  from: string;
  campaignId: number | null;
  metadata: Record<string, unknown> | null;
  welcomeMessage: string | null;
  onMachine: MachinePolicy;
  origin: string;
  /** Runs with the record before the carrier is asked (a campaign notes the call on its contact first). */
  beforeDial?: (call: CallRow) => Promise<void>;
}

/**
 * Places an outbound AI call with the tenant's carrier. The call record is written first (state Queued, so the
 * answer can name its id and the carrier's webhook finds it), then the carrier is asked; a refusal removes the
 * record again and is thrown, so a refused call leaves nothing behind.
 */
export async function placeAiCall(env: Env, dialers: DialerRegistry, r: AiCallRequest): Promise<CallRow> {
  const dialer = await dialerFor(env, dialers, r.customerId);
  const call = await insertCall(env.DB, {
    customer_id: r.customerId,
    carrier: dialer.carrier,
    direction: "Outbound",
    state: "Queued",
    mode: "assistant",
    from_number: r.from,
    to_number: r.to,
    rep_id: r.repId,
    assistant_id: r.assistantId,
    campaign_id: r.campaignId,
    metadata_json: r.metadata ? JSON.stringify(r.metadata) : null,
  });
  let callRef: string;
  try {
    await r.beforeDial?.(call);
    ({ callRef } = await dialer.placeAiCall(env, r.customerId, {
      callId: call.id,
      assistantId: r.assistantId,
      to: r.to,
      from: r.from,
      welcomeMessage: r.welcomeMessage,
      onMachine: r.onMachine,
      origin: r.origin,
    }));
  } catch (e) {
    await deleteUnplacedCall(env.DB, r.customerId, call.id);
    throw e;
  }
  // The carrier's webhook may have stored the same id already (it can arrive before the REST answer).
  return (await updateCall(env.DB, r.customerId, call.id, { call_sid: callRef })) ?? call;
}
