import { z } from "zod";
import { listTools, toolParameters } from "../db/assistant-tools";
import { getAssistant, turnDetectionOf, type NoiseReduction, type TurnDetection } from "../db/assistants";
import { getCall } from "../db/calls";
import { getPhoneNumber } from "../db/phone-numbers";
import { getRep } from "../db/reps";
import type { Env } from "../env";
import type { ToolMethod } from "../db/assistant-tools";
import type { SchemaNode } from "../lib/json-schema";
import type { PersonTarget } from "./carrier";

/**
 * What a live call does, built once from the stream's <Parameter>s (the same map the webhook passes to
 * `prepare`) and the tenant's rows in D1, then kept in the object's storage so a restarted object resumes
 * the same call. Secrets are never stored here: the OpenAI key is read from D1 whenever a socket opens.
 */
export interface CallPlan {
  mode: "assistant" | "translate";
  /** The carrier (`calls.carrier`) whose call control and media streams this call uses. */
  carrier: string;
  customerId: number;
  callId: string | null;
  /** The caller leg's carrier id (from the call record): what a fallback redirects, even before the stream starts. */
  callRef: string | null;
  ticketId: number | null;
  callCreatedAt: string | null;
  from: string;
  to: string;
  assistant: {
    instructions: string;
    voice: string | null;
    welcome: string | null;
    language: string | null;
    /** Absent in plans stored before issue 15: the defaults (server VAD, no noise reduction, no HTTP tools). */
    turnDetection?: TurnDetection | null;
    noiseReduction?: NoiseReduction | null;
    tools?: PlannedTool[];
    /** Who transfer_to_human hands the caller to (the assistant's transfer number, else the number's rep). */
    transferTarget?: PersonTarget | null;
    transferMessage?: string | null;
  } | null;
  translate: {
    callerLanguage: string;
    callerVoice: string | null;
    receiverLanguage: string;
    receiverVoice: string | null;
    forwardRaw: boolean;
  } | null;
  /** Who the call is handed to when OpenAI fails and the tenant's fallback is 'dial'. */
  dialTarget: PersonTarget | null;
}

const id = z.coerce.number().int().positive();
const common = z.object({
  CustomerId: id,
  CallId: z.string().min(1).optional(),
  From: z.string().default(""),
  To: z.string().default(""),
});
const assistantParams = common.extend({
  Mode: z.literal("assistant"),
  AssistantId: id,
  WelcomeMessage: z.string().optional(),
});
const translateParams = common.extend({
  Mode: z.literal("translate"),
  CallerLanguage: z.string().min(2),
  CallerVoice: z.string().optional(),
  ReceiverLanguage: z.string().min(2),
  ReceiverVoice: z.string().optional(),
  ForwardRawAudio: z.string().optional(),
  RepId: id.optional(),
});
export const planParams = z.discriminatedUnion("Mode", [assistantParams, translateParams]);

/** An HTTP tool as the call knows it: its headers (secrets) are read from D1 when it is called. */
export interface PlannedTool {
  id: number;
  name: string;
  description: string;
  parameters: SchemaNode;
  url: string;
  method: ToolMethod;
  timeoutMs: number;
}

export class PlanError extends Error {}

/** `streamCarrier`: the carrier whose media stream brought the parameters, for a call with no record. */
export async function buildPlan(env: Env, params: Record<string, string>, streamCarrier: string): Promise<CallPlan> {
  const parsed = planParams.safeParse({ Mode: "assistant", ...params });
  if (!parsed.success)
    throw new PlanError(`bad stream parameters: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`);
  const p = parsed.data;
  const call = p.CallId ? await getCall(env.DB, p.CustomerId, p.CallId) : null;
  if (p.CallId && !call) throw new PlanError("unknown call");
  const base = {
    carrier: call?.carrier ?? streamCarrier,
    customerId: p.CustomerId,
    callId: call?.id ?? null,
    callRef: call?.call_sid ?? null,
    ticketId: call?.ticket_id ?? null,
    callCreatedAt: call?.created_at ?? null,
    from: p.From,
    to: p.To,
  };
  if (p.Mode === "assistant") {
    const a = await getAssistant(env.DB, p.CustomerId, p.AssistantId);
    if (!a) throw new PlanError("unknown assistant");
    const rep = await repBehindNumber(env, p.CustomerId, call?.direction === "Outbound" ? p.From : p.To);
    const tools = await listTools(env.DB, p.CustomerId, a.id);
    return {
      ...base,
      mode: "assistant",
      translate: null,
      assistant: {
        instructions: a.instructions,
        voice: a.voice,
        welcome: p.WelcomeMessage ?? a.welcome_message,
        language: a.language,
        turnDetection: turnDetectionOf(a),
        noiseReduction: a.noise_reduction,
        tools: tools.map((t) => ({
          id: t.id,
          name: t.name,
          description: t.description,
          parameters: toolParameters(t),
          url: t.url,
          method: t.method,
          timeoutMs: t.timeout_ms,
        })),
        transferTarget: a.transfer_number ? { kind: "number", number: a.transfer_number } : rep,
        transferMessage: a.transfer_message,
      },
      dialTarget: rep,
    };
  }
  return {
    ...base,
    mode: "translate",
    assistant: null,
    translate: {
      callerLanguage: p.CallerLanguage,
      callerVoice: p.CallerVoice ?? null,
      receiverLanguage: p.ReceiverLanguage,
      receiverVoice: p.ReceiverVoice ?? null,
      forwardRaw: /^(true|1|yes)$/i.test(p.ForwardRawAudio ?? ""),
    },
    dialTarget: p.To ? { kind: "number", number: p.To } : null,
  };
}

/** The rep who owns the assistant's number (reached in their browser): the human the assistant hands over to. */
async function repBehindNumber(env: Env, customerId: number, number: string): Promise<PersonTarget | null> {
  const n = number ? await getPhoneNumber(env.DB, customerId, number) : null;
  const rep = n?.rep_id ? await getRep(env.DB, customerId, n.rep_id) : null;
  return rep && rep.active ? { kind: "rep", identity: rep.identity } : null;
}

export const interpreterInstructions = (from: string, to: string) =>
  `You are a live phone interpreter. Translate everything you hear from ${from} into ${to}, faithfully and in the first ` +
  `person, as soon as each phrase is complete. Output only the translation: never answer, comment, greet or add anything.`;
