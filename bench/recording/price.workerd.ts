/**
 * bench/recording, inside workerd: what recording a live call's frames costs the call's Durable Object, split
 * into the batcher (decode and bookkeeping), the batch's SQL statements, and the commit that makes a batch
 * durable. A real FrameBatcher and AudioStore on a real SQLite-backed object's storage, as a live call wires
 * them (src/live/loaded-call.ts); 160-byte frames of both directions, ~200 to a batch (~2 s of a call).
 * Variants take turns, each on a fresh object, so a drift of the machine favours none; medians are printed.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { it } from "vitest";
import { FrameBatcher } from "../../src/live/frame-batcher";
import { AudioStore } from "../../src/recordings/audio-store";

const FRAMES = 12_000; // per direction: 4 minutes of a call
const ROUNDS = 6; // per variant
/** The frames of one turn (100 of both directions): a batch is cut every ~200, so a turn commits at most one batch. */
const FRAMES_PER_TURN = 50;

type Variant = "batcher only" | "+ SQL, one commit at the end" | "+ SQL, a commit per batch" | "tiny commit per batch";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

it("prices recording a frame", async () => {
  const bytes = new Uint8Array(160).map((_, i) => (i * 37) & 0xff);
  const payloads = Array.from({ length: 64 }, (_, k) => btoa(String.fromCharCode(...bytes.map((b) => (b + k) & 0xff))));
  const variants: Variant[] = [
    "batcher only",
    "+ SQL, one commit at the end",
    "+ SQL, a commit per batch",
    "tiny commit per batch",
  ];
  const perFrame = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  let batches = 0;
  for (let round = 0; round < ROUNDS * variants.length; round++) {
    const variant = variants[round % variants.length]!;
    const stub = env.TICKET_RECORDERS.get(env.TICKET_RECORDERS.idFromName(`bench-recording-${round}-${Date.now()}`));
    await runInDurableObject(stub, async (_o, state) => {
      const store = AudioStore.coalescedWith(state.storage, { neverRetried: true });
      const writes = variant.startsWith("+");
      // A live call's batch commits its audio and nothing else (src/live/live-call.ts); "tiny" writes one key instead.
      const oneKey = { append: () => state.storage.kv.put("tiny", Date.now()) };
      const sink = writes ? store : variant === "tiny commit per batch" ? oneKey : { append: () => batches++ };
      const batcher = new FrameBatcher(sink, 0.5);
      const yields = variant !== "+ SQL, one commit at the end";
      const t0 = performance.now();
      for (let i = 0; i < FRAMES; i++) {
        batcher.add("EndUser", i * 20, payloads[i & 63]!);
        batcher.add("AI", i * 20 + 3, payloads[(i + 7) & 63]!);
        // Ending the turn commits what it wrote, as the end of a frame's event does in a live call.
        if (yields && i % FRAMES_PER_TURN === FRAMES_PER_TURN - 1) await new Promise((r) => setTimeout(r, 0));
      }
      batcher.flush();
      perFrame.get(variant)!.push(((performance.now() - t0) / (2 * FRAMES)) * 1000);
    });
  }
  const m = new Map(variants.map((v) => [v, median(perFrame.get(v)!)]));
  const framesPerBatch = (2 * FRAMES) / (batches / ROUNDS);
  console.log(`\nrecording one 160-byte frame in workerd (median of ${ROUNDS} rounds, ${2 * FRAMES} frames each):`);
  for (const v of variants)
    console.log(
      `  ${v.padEnd(30)} ${m.get(v)!.toFixed(2).padStart(6)} µs per frame   (rounds: ${perFrame
        .get(v)!
        .map((x) => x.toFixed(2))
        .join(" ")})`,
    );
  const sql = m.get("+ SQL, one commit at the end")! - m.get("batcher only")!;
  const commit = m.get("+ SQL, a commit per batch")! - m.get("+ SQL, one commit at the end")!;
  const tiny = m.get("tiny commit per batch")! - m.get("batcher only")!;
  console.log(
    `  ~${framesPerBatch.toFixed(0)} frames per batch: the batch's SQL statements ≈ ${(sql * framesPerBatch).toFixed(0)} µs,`,
  );
  console.log(
    `  its commit ≈ ${(commit * framesPerBatch).toFixed(0)} µs (a commit of one small key alone ≈ ${(tiny * framesPerBatch).toFixed(0)} µs)`,
  );
});
