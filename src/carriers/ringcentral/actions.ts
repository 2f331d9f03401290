/**
 * Carrying out a decision (decision.ts) through call control: answer on an Online device of the extension, or
 * forward to the tenant's AI line. Failures are logged with RingCentral's status and code, never thrown: the call
 * keeps ringing and RingCentral's own routing (voicemail, other devices) takes it from there.
 */
import { UpstreamError } from "../../lib/upstream";
import type { Action } from "./decision";
import { failureFields, logRingCentral } from "./errors";
import type { RingCentralRest } from "./rest";

export type ActionResult =
  | { kind: "none"; why: string }
  | { kind: "answered"; deviceId: string }
  | { kind: "forwarded"; phoneNumber: string }
  | { kind: "left-ringing"; why: string }
  | { kind: "failed"; status: number; code: string | number | null; why: string };

/** What a refused call-control request means for this call, in words for the log. */
function explain(e: UpstreamError): string {
  if (e.status === 403)
    return "RingCentral refused: only the extension that owns the call may control it (is the JWT that extension's, with CallControl?)";
  if (e.status === 404) return "the call or party is gone (hung up, or answered elsewhere)";
  if (e.status === 429) return "rate limited by RingCentral beyond our retry bound";
  return e.message;
}

export async function executeAction(
  rest: RingCentralRest,
  action: Action,
  ctx: { customerId: number },
): Promise<ActionResult> {
  if (action.kind === "none") return action;
  const where = { customerId: ctx.customerId, telephonySessionId: action.telephonySessionId, partyId: action.partyId };
  try {
    if (action.kind === "forward") {
      await rest.forward(action.telephonySessionId, action.partyId, action.phoneNumber);
      logRingCentral("info", "forwarded to the AI line", where);
      return { kind: "forwarded", phoneNumber: action.phoneNumber };
    }
    // The JWT user's devices (`~`): the decision only acts on that extension's party, and only it may answer.
    const devices = await rest.listDevices();
    const online = devices.find((d) => d.status === "Online");
    if (!online) {
      const why = devices.length
        ? `none of the extension's ${devices.length} devices is Online`
        : "the extension has no devices";
      logRingCentral("warn", "not answering: no Online device; the call is left ringing", { ...where, why });
      return { kind: "left-ringing", why };
    }
    await rest.answer(action.telephonySessionId, action.partyId, online.id);
    logRingCentral("info", "answered", { ...where, deviceId: online.id });
    return { kind: "answered", deviceId: online.id };
  } catch (e) {
    const why = e instanceof UpstreamError ? explain(e) : e instanceof Error ? e.message : String(e);
    logRingCentral("error", `${action.kind} failed`, { ...where, ...failureFields(e), why });
    return e instanceof UpstreamError
      ? { kind: "failed", status: e.status, code: e.code, why }
      : { kind: "failed", status: 0, code: null, why };
  }
}
