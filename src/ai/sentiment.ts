import type { Env } from "../env";
import { getCall, updateCall } from "../db/calls";
import { getCustomer } from "../db/customers";
import { listSegments, type TranscriptSegmentRow } from "../db/transcripts";
import { tenantOpenAI } from "./openai";

export const SENTIMENTS = ["positive", "neutral", "negative"] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

/** A small, cheap chat model is plenty for a three-way label. */
export const SENTIMENT_MODEL = "gpt-4o-mini";
/** Long calls are cut to their last part: how a call ends says most about how the caller felt. */
const MAX_TRANSCRIPT_CHARS = 24_000;

export type SentimentOutcome =
  | { status: "classified"; sentiment: Sentiment }
  | { status: "skipped"; reason: "no-call" | "no-openai-key" | "no-transcript" }
  | { status: "failed"; reason: string };

const INSTRUCTIONS =
  "You label the overall sentiment of the customer in a customer-service phone call transcript. " +
  "Answer with the customer's sentiment by the end of the call: positive, neutral or negative.";

export function transcriptText(segments: TranscriptSegmentRow[]): string {
  const text = segments.map((s) => `${s.role === "customer" ? "Customer" : "Agent"}: ${s.text}`).join("\n");
  return text.length > MAX_TRANSCRIPT_CHARS ? text.slice(text.length - MAX_TRANSCRIPT_CHARS) : text;
}

/**
 * Classifies an ended call's transcript with the tenant's OpenAI key and stores calls.sentiment.
 * Without a key, a transcript or a valid answer the sentiment stays NULL (counted as unknown, never guessed).
 * Never throws: it runs after the call, usually from `ctx.waitUntil`, and must not break the ending path.
 */
export async function afterCallEnded(env: Env, customerId: number, callId: string): Promise<SentimentOutcome> {
  try {
    const [customer, call] = await Promise.all([getCustomer(env.DB, customerId), getCall(env.DB, customerId, callId)]);
    if (!customer || !call) return { status: "skipped", reason: "no-call" };
    const ai = await tenantOpenAI(env, customer);
    if (!ai) return { status: "skipped", reason: "no-openai-key" };
    const segments = await listSegments(env.DB, customerId, callId);
    if (!segments.length) return { status: "skipped", reason: "no-transcript" };
    const completion = await ai.client.chat.completions.create({
      model: SENTIMENT_MODEL,
      temperature: 0,
      messages: [
        { role: "system", content: INSTRUCTIONS },
        { role: "user", content: transcriptText(segments) },
      ],
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "call_sentiment",
          strict: true,
          schema: {
            type: "object",
            properties: { sentiment: { type: "string", enum: [...SENTIMENTS] } },
            required: ["sentiment"],
            additionalProperties: false,
          },
        },
      },
    });
    const sentiment = parseSentiment(completion.choices[0]?.message.content ?? null);
    if (!sentiment) return { status: "failed", reason: "the model's answer was not a sentiment label" };
    await updateCall(env.DB, customerId, callId, { sentiment });
    return { status: "classified", sentiment };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    console.error(JSON.stringify({ level: "warn", what: "sentiment", customerId, callId, reason }));
    return { status: "failed", reason };
  }
}

export function parseSentiment(content: string | null): Sentiment | null {
  if (!content) return null;
  try {
    const v = (JSON.parse(content) as { sentiment?: unknown }).sentiment;
    return SENTIMENTS.find((s) => s === v) ?? null;
  } catch {
    return null;
  }
}
