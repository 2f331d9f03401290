import { z } from "zod";
import type { NoiseReduction, TurnDetection } from "../db/assistants";
import type { SchemaNode } from "../lib/json-schema";

/**
 * The OpenAI Realtime WebSocket, opened from a Worker (docs/live-calls.md, "Call flow"): an http(s) `fetch` with
 * `Upgrade: websocket` and the tenant's Bearer key, then the GA `session.update` with G.711 μ-law both ways so
 * Twilio's payloads pass through untouched.
 */
export interface RealtimeTarget {
  /** OPENAI_BASE_URL, e.g. https://api.openai.com/v1 */
  baseUrl: string;
  apiKey: string;
  model: string;
}

export interface RealtimeConfig {
  instructions: string;
  voice: string;
  /** ISO-639-1 language of the audio the model hears, for input transcription. */
  inputLanguage?: string | null;
  transcriptionModel: string;
  /** The assistant's turn detection; absent = server VAD with the defaults below. */
  turnDetection?: TurnDetection | null;
  noiseReduction?: NoiseReduction | null;
  /** Function tools the model may call (docs/live-calls.md, "Tools"). */
  tools?: FunctionTool[];
}

/** A function tool of the session (the GA `tools[]` entry). */
export interface FunctionTool {
  type: "function";
  name: string;
  description: string;
  parameters: SchemaNode;
}

export const DEFAULT_VOICE = "marin";
export const VOICES = [
  "alloy",
  "ash",
  "ballad",
  "coral",
  "echo",
  "sage",
  "shimmer",
  "verse",
  "marin",
  "cedar",
] as const;

/** The voice if OpenAI knows it, else the default (a bad voice would fail the whole session.update). */
export const voiceOrDefault = (v: string | null | undefined) =>
  v && (VOICES as readonly string[]).includes(v.toLowerCase()) ? v.toLowerCase() : DEFAULT_VOICE;

/** The GA `turn_detection`: the model answers when the caller's turn ends, and the caller may interrupt it. */
export function turnDetectionConfig(t: TurnDetection | null | undefined) {
  const always = { create_response: true, interrupt_response: true };
  if (t?.type === "semantic_vad") return { type: "semantic_vad", eagerness: t.eagerness ?? "auto", ...always };
  return {
    type: "server_vad",
    threshold: t?.threshold ?? 0.5,
    prefix_padding_ms: t?.prefixPaddingMs ?? 300,
    silence_duration_ms: t?.silenceDurationMs ?? 500,
    ...always,
  };
}

/** A session.update that changes only the tools (the rest of the session stays as it is). */
export const toolsUpdate = (tools: FunctionTool[]) => ({
  type: "session.update",
  session: { type: "realtime", tools, tool_choice: "auto" },
});

/**
 * The ISO-639-1 code of a language tag (`fr`, `fr-BE`, `pt_BR`), or undefined for anything else: languages are free
 * text (a caller's `English` too), and a guessed code would make OpenAI refuse the session, while none lets its
 * transcription detect the language.
 */
const transcriptionLanguage = (language: string | null | undefined): string | undefined =>
  /^([a-z]{2})(?:[-_][a-z0-9]{2,8})*$/i.exec(language ?? "")?.[1]?.toLowerCase();

export function sessionUpdate(model: string, c: RealtimeConfig) {
  const lang = transcriptionLanguage(c.inputLanguage);
  const tools = c.tools?.length ? { tools: c.tools, tool_choice: "auto" } : {};
  return {
    type: "session.update",
    session: {
      type: "realtime",
      model,
      instructions: c.instructions,
      output_modalities: ["audio"],
      audio: {
        input: {
          format: { type: "audio/pcmu" },
          turn_detection: turnDetectionConfig(c.turnDetection),
          transcription: { model: c.transcriptionModel, ...(lang ? { language: lang } : {}) },
          ...(c.noiseReduction ? { noise_reduction: { type: c.noiseReduction } } : {}),
        },
        output: { format: { type: "audio/pcmu" }, voice: c.voice },
      },
      ...tools,
    },
  };
}

/** OpenAI answered the upgrade with something other than 101 (bad key, no quota, unknown model…). */
export class RealtimeRefused extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`OpenAI realtime refused (${status}): ${detail.slice(0, 300)}`);
    this.name = "RealtimeRefused";
  }
}

export async function openRealtimeSocket(t: RealtimeTarget, c: RealtimeConfig, timeoutMs = 10_000): Promise<WebSocket> {
  const url = `${t.baseUrl.replace(/\/+$/, "")}/realtime?model=${encodeURIComponent(t.model)}`;
  // The timeout races the handshake instead of aborting it: a fetch given an AbortSignal hands back a socket that
  // workerd keeps abortable for its whole life, a canceler around every frame sent and received on it
  // (docs/performance.md, "Round three"). An answer that comes too late is closed when it comes.
  const opening = fetch(url, { headers: { Upgrade: "websocket", Authorization: `Bearer ${t.apiKey}` } });
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  let resp: Response | null;
  try {
    resp = await Promise.race([opening, timedOut]);
  } catch (e) {
    throw new RealtimeRefused(0, e instanceof Error ? e.message : "network error");
  } finally {
    clearTimeout(timer);
  }
  if (!resp) {
    void opening.then(closeUnwanted, () => undefined);
    throw new RealtimeRefused(0, `no answer to the upgrade within ${timeoutMs} ms`);
  }
  const ws = resp.webSocket;
  if (!ws) throw new RealtimeRefused(resp.status, await resp.text().catch(() => ""));
  ws.accept();
  ws.send(JSON.stringify(sessionUpdate(t.model, c)));
  return ws;
}

function closeUnwanted(late: Response): void {
  const ws = late.webSocket;
  if (!ws) return void late.body?.cancel();
  ws.accept();
  ws.close(1000, "handshake timed out");
}

// ── server events the bridge acts on; everything else is ignored ──

const s = z.string();
/** An item of a finished response: a function call carries its name, call id and arguments. */
const outputItem = z
  .object({ type: s, id: s.optional(), call_id: s.optional(), name: s.optional(), arguments: s.optional() })
  .passthrough();
const serverEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("response.output_audio.delta"), response_id: s.optional(), item_id: s, delta: s }),
  z.object({ type: z.literal("response.output_audio_transcript.done"), item_id: s, transcript: s }),
  z.object({ type: z.literal("conversation.item.input_audio_transcription.completed"), item_id: s, transcript: s }),
  z.object({
    type: z.literal("input_audio_buffer.speech_started"),
    item_id: s.optional(),
    audio_start_ms: z.number().optional(),
  }),
  z.object({ type: z.literal("response.created"), response: z.object({ id: s.optional() }).passthrough() }),
  z.object({
    type: z.literal("response.done"),
    response: z
      .object({ id: s.optional(), status: s.optional(), output: z.array(outputItem).optional() })
      .passthrough(),
  }),
  z.object({
    type: z.literal("response.function_call_arguments.done"),
    response_id: s.optional(),
    item_id: s.optional(),
    call_id: s,
    name: s,
    arguments: s,
  }),
  z.object({ type: z.literal("session.updated") }).passthrough(),
  z.object({
    type: z.literal("error"),
    error: z.object({ type: s.optional(), code: s.nullish(), message: s.optional() }).passthrough(),
  }),
]);
export type ServerEvent = z.infer<typeof serverEvent>;

/*
 * The audio delta is nearly every event of a call, and OpenAI writes it as compact JSON in a fixed key order:
 * matched whole (anchored, strings without escapes or control characters, so the raw text is the value) and
 * sliced, without building the object tree. Anything else takes JSON.parse, with the same result
 * (test/ai/realtime-fast-parse.test.ts). `event_id` may come first (the fake) or second (OpenAI).
 */
const STR = String.raw`"([^"\\\u0000-\u001f]*)"`;
/** A JSON non-negative integer (no leading zeros). */
const INT = "(?:0|[1-9]\\d{0,8})";
const DELTA = new RegExp(
  String.raw`^\{(?:"type":"response\.output_audio\.delta","event_id":${STR}|"event_id":${STR},"type":"response\.output_audio\.delta"),` +
    String.raw`"response_id":${STR},"item_id":${STR},"output_index":${INT},"content_index":${INT},"delta":"([A-Za-z0-9+/=]*)"\}$`,
);

/** Exported for its test: the hot-path match alone (null = not a canonical audio delta). */
export function matchAudioDelta(data: string): ServerEvent | null {
  const m = data.startsWith('{"', 0) ? DELTA.exec(data) : null;
  return m ? { type: "response.output_audio.delta", item_id: m[4]!, delta: m[5]!, response_id: m[3]! } : null;
}

export function parseServerEvent(data: unknown): ServerEvent | null {
  if (typeof data !== "string") return null;
  return matchAudioDelta(data) ?? parseServerEventJson(data);
}

/** The beta API's names of the events the GA API renamed: a server (or a fake) still speaking beta is understood. */
const BETA_NAMES: Readonly<Record<string, ServerEvent["type"]>> = {
  "response.audio.delta": "response.output_audio.delta",
  "response.audio_transcript.done": "response.output_audio_transcript.done",
};

/** The general path (and the reference the delta matcher is tested against). */
export function parseServerEventJson(data: string): ServerEvent | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  // Not an object: no event (the schema would refuse it too).
  if (typeof parsed !== "object" || parsed === null) return null;
  const given = (parsed as { type?: unknown }).type;
  const renamed = typeof given === "string" && Object.hasOwn(BETA_NAMES, given) ? BETA_NAMES[given] : undefined;
  const raw = renamed ? { ...parsed, type: renamed } : parsed;
  // The audio delta is nearly every event of a call: checked by hand, the schema for the rest.
  if ((renamed ?? given) === "response.output_audio.delta") {
    const { item_id, delta, response_id } = raw as Record<string, unknown>;
    if (
      typeof item_id === "string" &&
      typeof delta === "string" &&
      (response_id === undefined || typeof response_id === "string")
    ) {
      return { type: "response.output_audio.delta", item_id, delta, response_id };
    }
  }
  const r = serverEvent.safeParse(raw);
  return r.success ? r.data : null;
}
