import { randomBytes } from "node:crypto";

/** What both fake realtime behaviours share: ids, the default GA session, merging `session.update`s, parsing. */
export type Json = Record<string, unknown>;
export interface FakeStats {
  connections: number;
  open: number;
  appends: number;
  deltas: number;
  errors: number;
}
export const id = (prefix: string) => `${prefix}_${randomBytes(8).toString("hex")}`;

export function baseSession(model: string): Json {
  return {
    type: "realtime",
    object: "realtime.session",
    id: id("sess"),
    model,
    output_modalities: ["audio"],
    instructions: "",
    audio: {
      input: {
        format: { type: "audio/pcm", rate: 24000 },
        transcription: null,
        noise_reduction: null,
        turn_detection: {
          type: "server_vad",
          threshold: 0.5,
          prefix_padding_ms: 300,
          silence_duration_ms: 500,
          create_response: true,
          interrupt_response: true,
        },
      },
      output: { format: { type: "audio/pcm", rate: 24000 }, voice: "marin", speed: 1 },
    },
  };
}

export function merge(into: Json, patch: Json): Json {
  for (const [k, v] of Object.entries(patch)) {
    const cur = into[k];
    into[k] =
      v && typeof v === "object" && !Array.isArray(v) && cur && typeof cur === "object" && !Array.isArray(cur)
        ? merge(cur as Json, v as Json)
        : v;
  }
  return into;
}

export function parse(data: unknown): Json | null {
  try {
    const v = JSON.parse(String(data)) as unknown;
    return v && typeof v === "object" ? (v as Json) : null;
  } catch {
    return null;
  }
}
