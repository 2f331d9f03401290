/**
 * One benchmark run, in its own process (forked by main.ts, reports through IPC): N calls, each sending one
 * 160-byte frame every 20 ms for a fixed time, every frame timed from send to its return.
 * - `twilio` target (the Worker or the Node relay): the signed `/twiml` webhook, then the Twilio Media Streams
 *   protocol with real-time mark echoes, exactly what `npm run simulate-call` does.
 * - `floor` target: the same process, pacing and frames talking OpenAI events to the echo fake directly.
 * Calls are spread evenly over the 20 ms period (independent calls are not phase-locked), and timing starts only
 * once every call has echoed one probe frame, so connection setup never counts as latency.
 */
import { writeFileSync } from "node:fs";
import WebSocket from "ws";
import { postVoiceWebhook } from "../../scripts/lib/twiml-call";
import { TwilioMediaClient } from "../../scripts/lib/twilio-media-client";
import { FrameMatcher, makeFrame } from "./frames";
import { summarize, type RunResult } from "./stats";

export interface LoadConfig {
  target: "twilio" | "floor";
  /** twilio: the Worker's or relay's origin; floor: the fake's OpenAI base (…/v1). */
  base: string;
  accountSid: string;
  authToken: string;
  to: string;
  calls: number;
  seconds: number;
  drainMs: number;
  /** A frame back later than this after its send is counted as too late (as good as lost on a call). */
  deadlineMs: number;
  /** Writes every timed frame (its send time from the start of pacing, call, round trip) here: `--timeline`. */
  timelineFile?: string;
}

interface Call {
  index: number;
  send(frame: Buffer, timestampMs: number): void;
  pump(now: number): void;
  end(): Promise<void>;
}

const cfg = JSON.parse(process.argv[2] ?? "{}") as LoadConfig;
const framesPerCall = cfg.seconds * 50;
/** The first second of paced frames checks for loss but stays out of the percentiles (JIT and socket warm-up). */
const warmupFrames = Math.min(50, Math.floor(framesPerCall / 4));
let warmupReceived = 0;
const PROBE = 0;
const sentAt: Float64Array[] = [];
const rtts: number[] = [];
const got: Uint8Array[] = [];
/** `--timeline`: "sent ms,call,rtt ms" per frame back once pacing started (warm-up second and late ones included). */
const timeline: string[] = [];
let pacingStart = 0;
const counts = { duplicates: 0, probeEchoes: 0, unmatchedPayloads: 0, late: 0, tooLate: 0 };
const probeWaiters = new Map<number, () => void>();
/**
 * setup: only probe echoes count. measuring: paced sending and the drain window; every frame back is timed.
 * late: after the drain window; a frame still coming back is counted as late (and stays lost: a frame seconds
 * late is as good as lost on a call). done: teardown, nothing counts.
 */
let phase: "setup" | "measuring" | "late" | "done" = "setup";

function onAudio(call: number, matcher: FrameMatcher, payload: Buffer, at: number) {
  let matched = false;
  for (const seq of matcher.match(payload)) {
    matched = true;
    if (seq === PROBE) {
      counts.probeEchoes++;
      probeWaiters.get(call)?.();
      continue;
    }
    if (phase !== "measuring" && phase !== "late") continue;
    const seen = got[call]!;
    if (seen[seq]) {
      counts.duplicates++;
      continue;
    }
    seen[seq] = 1;
    const rtt = at - sentAt[call]![seq]!;
    if (cfg.timelineFile) timeline.push(`${(sentAt[call]![seq]! - pacingStart).toFixed(2)},${call},${rtt.toFixed(2)}`);
    if (phase === "late") counts.late++;
    else {
      if (rtt > cfg.deadlineMs) counts.tooLate++;
      if (seq > warmupFrames) rtts.push(rtt);
      else warmupReceived++;
    }
  }
  if (!matched) counts.unmatchedPayloads++;
}

async function openTwilioCall(index: number): Promise<Call> {
  const from = `+1555${String(1_000_000 + index).slice(1)}`;
  const hook = await postVoiceWebhook(cfg.base, cfg, { from, to: cfg.to });
  if (hook.status !== 200 || !hook.stream)
    throw new Error(`call ${index}: POST /twiml → ${hook.status} ${hook.twiml.slice(0, 300)}`);
  const matcher = new FrameMatcher(index, framesPerCall);
  const client = new TwilioMediaClient(
    hook.stream.connectUrl,
    { callSid: hook.callSid, accountSid: cfg.accountSid, customParameters: hook.stream.parameters },
    {
      onEvent: (e) => {
        if (e.event === "media") onAudio(index, matcher, e.payload, e.at);
      },
    },
  );
  await client.opened();
  client.start();
  return {
    index,
    send: (frame, ts) => client.media(frame, ts),
    pump: (now) => client.pump(now),
    end: async () => {
      client.stop();
      await Promise.race([client.closed(), new Promise((r) => setTimeout(r, 2000))]);
      client.ws.terminate();
    },
  };
}

async function openFloorCall(index: number): Promise<Call> {
  const ws = new WebSocket(`${cfg.base.replace(/^http/, "ws")}/realtime?model=gpt-realtime`, {
    headers: { Authorization: "Bearer sk-bench" },
    perMessageDeflate: false,
  });
  const matcher = new FrameMatcher(index, framesPerCall);
  ws.on("message", (data) => {
    const at = performance.now();
    const e = JSON.parse(data.toString()) as { type: string; delta?: string };
    if (e.type === "response.output_audio.delta" && e.delta)
      onAudio(index, matcher, Buffer.from(e.delta, "base64"), at);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  ws.send(
    JSON.stringify({
      type: "session.update",
      session: {
        type: "realtime",
        audio: { input: { format: { type: "audio/pcmu" } }, output: { format: { type: "audio/pcmu" } } },
      },
    }),
  );
  return {
    index,
    send: (frame) => ws.send(JSON.stringify({ type: "input_audio_buffer.append", audio: frame.toString("base64") })),
    pump: () => {},
    end: async () => ws.close(1000),
  };
}

async function inBatches<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

async function main(): Promise<RunResult> {
  const setupStart = performance.now();
  const calls = await inBatches(cfg.calls, 16, cfg.target === "floor" ? openFloorCall : openTwilioCall);
  for (let i = 0; i < cfg.calls; i++) {
    sentAt.push(new Float64Array(framesPerCall + 1));
    got.push(new Uint8Array(framesPerCall + 1));
  }
  // Probe: one frame per call must come back before timing starts (the far socket is open end to end).
  await Promise.all(
    calls.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`call ${c.index}: probe frame not echoed within 20 s`)), 20_000);
          probeWaiters.set(c.index, () => {
            clearTimeout(t);
            resolve();
          });
          c.send(makeFrame(c.index, PROBE), 0);
        }),
    ),
  );
  const setupMs = performance.now() - setupStart;
  const cpu0 = process.cpuUsage();

  // One global cursor: frame k of call i is due at t0 + (k·N + i)·20/N ms.
  phase = "measuring";
  process.send?.({ phase: "measuring" });
  const slot = 20 / cfg.calls;
  const total = cfg.calls * framesPerCall;
  const frames = Array.from({ length: cfg.calls }, (_, i) =>
    Array.from({ length: framesPerCall + 1 }, (_, seq) => (seq ? makeFrame(i, seq) : Buffer.alloc(0))),
  );
  const lateness: number[] = [];
  const t0 = performance.now() + 50;
  pacingStart = t0;
  let g = 0;
  let lastPump = 0;
  while (g < total) {
    const now = performance.now();
    while (g < total && t0 + g * slot <= now) {
      const i = g % cfg.calls;
      const seq = Math.floor(g / cfg.calls) + 1;
      const at = performance.now();
      sentAt[i]![seq] = at;
      lateness.push(at - (t0 + g * slot));
      calls[i]!.send(frames[i]![seq]!, seq * 20);
      g++;
    }
    if (now - lastPump >= 5) {
      for (const c of calls) c.pump(now);
      lastPump = now;
    }
    // Never spin: a busy client would steal the CPU the hop under test needs (2 cores on the bench machine).
    const wait = t0 + g * slot - performance.now();
    await new Promise((r) => setTimeout(r, Math.max(1, Math.floor(wait))));
  }
  const lastSend = performance.now();
  const expected = total;
  while (rtts.length + warmupReceived < expected && performance.now() - lastSend < cfg.drainMs) {
    for (const c of calls) c.pump(performance.now());
    await new Promise((r) => setTimeout(r, 5));
  }
  process.send?.({ phase: "drained" });
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  // Frames still missing: keep listening (and echoing marks) for as long again, to tell late from never.
  phase = "late";
  const lateStart = performance.now();
  while (rtts.length + warmupReceived + counts.late < expected && performance.now() - lateStart < cfg.drainMs) {
    for (const c of calls) c.pump(performance.now());
    await new Promise((r) => setTimeout(r, 5));
  }
  phase = "done";
  if (cfg.timelineFile) {
    // CLOCK_MONOTONIC at the start of pacing, so the file lines up with `perf trace` timestamps of the Worker.
    const monoMs = Number(process.hrtime.bigint()) / 1e6 - (performance.now() - t0);
    writeFileSync(
      cfg.timelineFile,
      `# monotonic ms at 0: ${monoMs.toFixed(3)}\nsent_ms,call,rtt_ms\n${timeline.join("\n")}\n`,
    );
  }
  await Promise.all(calls.map((c) => c.end()));
  return summarize({
    rtts,
    sent: expected,
    warmupReceived,
    lateness,
    setupMs,
    clientCpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    ...counts,
  });
}

main().then(
  (r) => {
    process.send?.({ ok: true, result: r });
    setTimeout(() => process.exit(0), 100);
  },
  (e: unknown) => {
    process.send?.({ ok: false, error: e instanceof Error ? e.message : String(e) });
    setTimeout(() => process.exit(1), 100);
  },
);
