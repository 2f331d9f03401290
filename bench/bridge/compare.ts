/**
 * Issue 17's comparison (`npm run bench -- bridge --runs 3 --capacity`): the bare Worker (bare-worker/, the relay's
 * passthrough as a Worker, one Durable Object per call) and the project Worker, measured in the same runs.
 * Each run: the floor at the bar's size (for the added round trip), then, size by size, both Workers one right
 * after the other (their order alternates from run to run, so a drift of the machine's other load favours
 * neither). With `--capacity` the sizes climb the ladder (50, 100, 150, 200 calls) while either Worker is still
 * loss-free; a Worker that lost frames at a size is not run at the larger ones.
 */
import type { FirstAudio } from "./first-audio";
import { lostOf, printComparison, printFirstAudio, ROW_HEADER, type CompareRun } from "./report";
import type { RunResult } from "./stats";

type Measured = "floor" | "bare" | "worker";

export interface CompareOptions {
  runs: number;
  /** The size the bar is judged at (the first of --calls, 50 by default). */
  barCalls: number;
  /** The capacity ladder (sorted, including barCalls), or null for the bar's size alone. */
  ladder: number[] | null;
  withFloor: boolean;
  measure(target: Measured, calls: number): Promise<RunResult | string>;
  firstAudioRows: FirstAudio[];
  /** What the `worker` target is called in the table: the project, or a second bare Worker (`--self-check`). */
  projectLabel: string;
}

const lossFree = (r: RunResult | string) => typeof r !== "string" && lostOf(r) === 0;

export async function compare(o: CompareOptions): Promise<boolean> {
  const sizes = o.ladder ?? [o.barCalls];
  console.log(
    `comparison: ${o.runs} run(s); sizes ${sizes.join(", ")} calls${o.ladder ? " (capacity: climbing while loss-free)" : ""}`,
  );
  const runs: CompareRun[] = [];
  for (let i = 0; i < o.runs; i++) {
    console.log(`\n── run ${i + 1} of ${o.runs} ──\n${ROW_HEADER}`);
    const run: CompareRun = { floor: undefined, steps: { bare: new Map(), worker: new Map() } };
    if (o.withFloor) run.floor = await o.measure("floor", o.barCalls);
    const order: ("bare" | "worker")[] = i % 2 === 0 ? ["bare", "worker"] : ["worker", "bare"];
    const climbing = new Set(order);
    for (const calls of sizes) {
      for (const t of order) {
        if (!climbing.has(t)) continue;
        const r = await o.measure(t, calls);
        run.steps[t].set(calls, r);
        if (!lossFree(r)) climbing.delete(t);
      }
      if (!climbing.size) break;
    }
    runs.push(run);
  }
  const pass = printComparison(runs, o.barCalls, o.ladder, o.projectLabel);
  printFirstAudio(o.firstAudioRows);
  return pass;
}
