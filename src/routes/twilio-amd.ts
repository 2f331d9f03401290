import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { TwilioControl } from "../carriers/twilio/control";
import { callSid } from "../carriers/twilio/sids";
import { twilioWebhook } from "../carriers/twilio/webhook";
import { getCallBySid, isEnded, updateCall } from "../db/calls";
import { UpstreamError } from "../lib/upstream";
import { parseOr400 } from "../lib/validate";

export const amdFields = z.object({
  CallSid: callSid,
  AnsweredBy: z.enum([
    "human",
    "machine_start",
    "machine_end_beep",
    "machine_end_silence",
    "machine_end_other",
    "fax",
    "unknown",
  ]),
  MachineDetectionDuration: z.coerce.number().int().min(0).optional(),
  onMachine: z.enum(["hangup", "message", "continue"]),
  message: z.string().min(1).max(500).optional(),
});

/**
 * Twilio's background answering-machine detection (AsyncAmd) on an outbound AI call, posted while the assistant
 * already talks: the verdict is stored on the call (`answered_by`); a machine makes the outcome `voicemail` (a fax
 * `fax`) and, per the policy in the callback's URL, the call leaves the message and hangs up, or hangs up, or goes
 * on. A repeated verdict changes nothing.
 */
export const twilioAmdRoutes = new Hono<AppEnv>().post("/amdcallback", twilioWebhook, async (c) => {
  const { customer, params } = c.get("twilio");
  const f = parseOr400(
    amdFields,
    {
      CallSid: params.get("CallSid") ?? undefined,
      AnsweredBy: params.get("AnsweredBy") ?? undefined,
      MachineDetectionDuration: params.get("MachineDetectionDuration") ?? undefined,
      onMachine: c.req.query("onMachine"),
      message: c.req.query("message"),
    },
    "answering machine detection callback",
  );
  const call = await getCallBySid(c.env.DB, customer.id, "twilio", f.CallSid);
  if (!call) return c.json({ ignored: true });
  if (call.answered_by !== null) return c.json({ answeredBy: call.answered_by, action: "none", duplicate: true });
  const machine = f.AnsweredBy.startsWith("machine_");
  const fax = f.AnsweredBy === "fax";
  await updateCall(c.env.DB, customer.id, call.id, {
    answered_by: f.AnsweredBy,
    ...(machine ? { outcome: "voicemail" } : fax ? { outcome: "fax" } : {}),
  });
  // A fax cannot take a message; "message" without text (never built so) is a hang-up too.
  const action = !(machine || fax) || isEnded(call.state) ? "none" : fax ? "hangup" : f.onMachine;
  if (action === "hangup" || action === "message") {
    const control = await TwilioControl.forCustomer(c.env, customer.id);
    try {
      if (action === "message" && f.message) await control.sayAndHangUp(f.CallSid, f.message);
      else await control.hangUp(f.CallSid, false);
    } catch (e) {
      // The call may have ended meanwhile (Twilio: not in progress): the verdict is stored all the same.
      if (!(e instanceof UpstreamError)) throw e;
      console.warn(JSON.stringify({ level: "warn", msg: "AMD action failed", callId: call.id, error: e.message }));
    }
  }
  return c.json({ answeredBy: f.AnsweredBy, action: action === "continue" ? "none" : action });
});
