import { openaiBaseUrl } from "../ai/openai";
import type { Env } from "../env";
import { type Check, fail, pass } from "./check";
import { hostOf, probeJson, upstreamMessage } from "./probe";

/** A tenant's OpenAI settings as plain values. */
export interface OpenAISettings {
  apiKey: string | null;
  realtimeModel: string;
  transcriptionModel: string;
  transcriptionActive: boolean;
  /** Whether the tenant cannot work without a key (an assistant answers one of its numbers). */
  keyNeeded: boolean;
}

/** The key against `GET /models` (cheap, authenticated), and the tenant's models among those it may use. */
export async function openaiCheck(env: Env, s: OpenAISettings, patchHint: string): Promise<Check> {
  const fix = `${patchHint} with openai.apiKey (a key of a project that may use the Realtime and Audio APIs)`;
  if (!s.apiKey) {
    return s.keyNeeded
      ? fail("openai.key", "no OpenAI key, but an assistant answers one of this tenant's numbers", fix)
      : pass("openai.key", "no OpenAI key: AI calls and transcription are off for this tenant");
  }
  const base = openaiBaseUrl(env);
  const probe = await probeJson(`${base}/models`, { Authorization: `Bearer ${s.apiKey}` });
  if (!probe.reached)
    return fail("openai.key", `${hostOf(base)} unreachable: ${probe.reason}`, "Retry; check OPENAI_BASE_URL");
  if (probe.status !== 200) {
    return fail(
      "openai.key",
      `${hostOf(base)} answered ${probe.status}: ${upstreamMessage(probe.body, "no message")}`,
      fix,
    );
  }
  const data = (probe.body as { data?: { id?: unknown }[] } | null)?.data ?? [];
  const ids = new Set(data.map((m) => m.id));
  const wanted = [s.realtimeModel, ...(s.transcriptionActive ? [s.transcriptionModel] : [])];
  const missing = wanted.filter((m) => !ids.has(m));
  if (missing.length) {
    return fail(
      "openai.key",
      `the key works but may not use ${missing.join(", ")}`,
      `${patchHint} with openai.realtimeModel / openai.transcriptionModel set to models the key lists, or grant them`,
    );
  }
  return pass("openai.key", `key accepted; ${wanted.join(", ")} available`);
}
