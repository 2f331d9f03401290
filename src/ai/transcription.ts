/**
 * Transcribes a stored recording into ticket messages (and call transcript segments when it belongs to a
 * call). Each channel is transcribed on its own, so every message knows who spoke: the channel's role
 * (recording.left_role / right_role) is its senderType. A right channel holding both AI and CustomerRep
 * ("AI+CustomerRep") is labelled CustomerRep: the mix cannot be told apart, and the transcript role
 * ("agent") is the same either way.
 *
 * The WAV is read from R2 in blocks (16-bit PCM or μ-law, any channel count: Twilio's files too), each
 * channel is split on silence into utterances (src/audio/utterances.ts), and each utterance is uploaded as
 * a mono 16-bit PCM WAV; its offset is its first sample's. An utterance over the upload limit (25 MB) is cut
 * on a sample boundary. Without a key, with transcription inactive or a model that cannot transcribe, the
 * recording stays and the transcription is marked skipped with the reason. OpenAI refusing (a 4xx such as 400, 401,
 * 403, 404) marks it failed with OpenAI's answer; OpenAI failing for now (no answer, 408, 409, 429, 5xx, after the
 * client's own retry) leaves it `pending` with that answer as the reason, for the caller to queue it again.
 */
import { APIError, toFile } from "openai";
import { extractChannel } from "../audio/mix";
import { UtteranceSplitter, type Utterance } from "../audio/utterances";
import { pcm16Wav, readWavHeader, WavFormatError, type WavInfo } from "../audio/wav";
import type { CustomerRow } from "../db/customers";
import { setTranscriptionStatus, type RecordingRow } from "../db/recordings";
import type { SenderType } from "../db/tickets";
import { saveTranscript } from "../db/transcript-save";
import type { Env } from "../env";
import type { TenantOpenAI } from "./openai";
import { transcriptionAccess } from "./transcription-access";

/** OpenAI's upload limit is 25 MB; stay under it with room for the multipart envelope. */
export const MAX_UPLOAD_BYTES = 24 * 1024 * 1024;
const READ_BLOCK_BYTES = 1024 * 1024;
const MAX_PARALLEL = 4;
const HEADER_PROBE_BYTES = 64 * 1024;

export interface TranscriptionOutcome {
  /** `pending`: OpenAI failed transiently; the recording is still to be transcribed (a job retries it). */
  status: "done" | "skipped" | "failed" | "pending";
  reason: string | null;
  /** Ticket messages and call transcript segments written. */
  messages: number;
  segments: number;
}

export interface TranscribeOptions {
  /** Largest WAV uploaded in one request (tests lower it to exercise splitting). */
  maxUploadBytes?: number;
}

interface Piece {
  senderType: SenderType;
  offsetMs: number;
  text: string;
}

/**
 * Whether an OpenAI failure may pass if tried again: no answer at all (connection error, timeout), or the statuses
 * OpenAI's own client retries (408, 409, 429, 5xx). Anything else is OpenAI's verdict on this request.
 */
export function transientOpenAIError(e: APIError): boolean {
  const s = e.status;
  return s === undefined || s === 408 || s === 409 || s === 429 || s >= 500;
}

export function senderOfRole(role: string, channel: number): SenderType {
  if (role === "EndUser" || role === "AI" || role === "CustomerRep") return role;
  if (role.includes("CustomerRep")) return "CustomerRep";
  return channel === 0 ? "EndUser" : "CustomerRep";
}

export async function transcribeRecording(
  env: Env,
  customer: CustomerRow,
  recording: RecordingRow,
  opts: TranscribeOptions = {},
): Promise<TranscriptionOutcome> {
  if (recording.transcription_status === "done")
    return { status: "done", reason: "already transcribed", messages: 0, segments: 0 };
  const finish = async (status: TranscriptionOutcome["status"], reason: string | null, messages = 0, segments = 0) => {
    await setTranscriptionStatus(env.DB, recording.customer_id, recording.id, status, reason);
    return { status, reason, messages, segments };
  };
  const access = await transcriptionAccess(env, customer);
  if (!access.ok) return finish("skipped", access.reason);
  let pieces: Piece[];
  try {
    pieces = await transcribeChannels(env, recording, access.ai, access.model, opts.maxUploadBytes ?? MAX_UPLOAD_BYTES);
  } catch (e) {
    if (e instanceof APIError) {
      const reason = `OpenAI answered ${e.status ?? "no response"}: ${e.message}`.slice(0, 500);
      return finish(transientOpenAIError(e) ? "pending" : "failed", reason);
    }
    if (e instanceof WavFormatError) return finish("failed", `the recording is not a readable WAV: ${e.message}`);
    throw e;
  }
  const { messages, segments } = await saveTranscript(env.DB, recording, pieces);
  return finish("done", null, messages, segments);
}

async function readHeader(env: Env, key: string): Promise<{ info: WavInfo }> {
  const head = await env.RECORDINGS.head(key);
  if (!head) throw new WavFormatError("the recording's object is missing from R2");
  const obj = await env.RECORDINGS.get(key, { range: { offset: 0, length: Math.min(HEADER_PROBE_BYTES, head.size) } });
  if (!obj) throw new WavFormatError("the recording's object is missing from R2");
  return { info: readWavHeader(new Uint8Array(await obj.arrayBuffer()), head.size) };
}

async function transcribeChannels(
  env: Env,
  rec: RecordingRow,
  ai: TenantOpenAI,
  model: string,
  maxUploadBytes: number,
): Promise<Piece[]> {
  const { info } = await readHeader(env, rec.r2_key);
  const roles = [rec.left_role, rec.right_role];
  const channels = Array.from({ length: info.channels }, (_, ch) => ({
    sender: senderOfRole(roles[ch] ?? "", ch),
    splitter: new UtteranceSplitter({ sampleRate: info.sampleRate, maxSamples: Math.floor((maxUploadBytes - 44) / 2) }),
  }));
  const pieces: Piece[] = [];
  const pool = new Pool(MAX_PARALLEL, 2 * MAX_UPLOAD_BYTES);
  const submit = async (sender: SenderType, u: Utterance) => {
    const bytes = u.samples.length * 2;
    await pool.run(bytes, async () => {
      const text = await transcribeUtterance(ai, model, u.samples, info.sampleRate);
      if (text)
        pieces.push({ senderType: sender, offsetMs: Math.round((u.startSample * 1000) / info.sampleRate), text });
    });
  };
  const block = Math.max(info.blockAlign, READ_BLOCK_BYTES - (READ_BLOCK_BYTES % info.blockAlign));
  for (let o = 0; o < info.dataBytes; o += block) {
    const length = Math.min(block, info.dataBytes - o);
    const obj = await env.RECORDINGS.get(rec.r2_key, { range: { offset: info.dataOffset + o, length } });
    if (!obj) throw new WavFormatError("the recording's object vanished while reading");
    const bytes = new Uint8Array(await obj.arrayBuffer());
    for (const [ch, c] of channels.entries()) {
      for (const u of c.splitter.push(extractChannel(bytes, info, ch))) await submit(c.sender, u);
    }
  }
  for (const c of channels) for (const u of c.splitter.end()) await submit(c.sender, u);
  await pool.drain();
  return pieces.sort((a, b) => a.offsetMs - b.offsetMs || a.senderType.localeCompare(b.senderType));
}

async function transcribeUtterance(
  ai: TenantOpenAI,
  model: string,
  samples: Int16Array,
  sampleRate: number,
): Promise<string> {
  const file = await toFile(pcm16Wav(samples, 1, sampleRate), "utterance.wav", { type: "audio/wav" });
  const r = await ai.client.audio.transcriptions.create({ file, model, response_format: "json" });
  return r.text.trim();
}

/** Runs at most `size` tasks (and `budget` bytes of uploads) at once; the first failure is rethrown. */
class Pool {
  private running = new Set<Promise<void>>();
  private bytes = 0;
  private failure: unknown = null;
  constructor(
    private readonly size: number,
    private readonly budget: number,
  ) {}

  async run(bytes: number, task: () => Promise<void>): Promise<void> {
    while (this.running.size > 0 && (this.running.size >= this.size || this.bytes + bytes > this.budget))
      await Promise.race(this.running);
    if (this.failure) throw this.failure;
    this.bytes += bytes;
    const p: Promise<void> = task()
      .catch((e: unknown) => {
        this.failure ??= e;
      })
      .finally(() => {
        this.bytes -= bytes;
        this.running.delete(p);
      });
    this.running.add(p);
  }

  async drain(): Promise<void> {
    while (this.running.size) await Promise.race(this.running);
    if (this.failure) throw this.failure;
  }
}
