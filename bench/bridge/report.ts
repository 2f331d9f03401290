/**
 * The printed figures of bench/bridge: one row per load run, and for `--runs`/`--capacity` the comparison of the
 * project Worker with the bare Worker (bare-worker/) run by run against the bar of issue 17 (SPEC.md,
 * non-functional): in the same run, the project's added p99 at most 1.25× the bare Worker's, its CPU per
 * round-tripped frame at most 1.15×, nothing lost, and the same loss-free capacity.
 */
import type { FirstAudio } from "./first-audio";
import type { RunResult } from "./stats";

export const BAR = { p99: 1.25, cpu: 1.15 };

const fmt = (n: number, w = 7, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits).padStart(w) : "n/a".padStart(w));
/** Frames lost: never back within the drain window, or back later than the deadline after their send. */
export const lostOf = (r: RunResult) => r.lost + r.tooLate;

export const ROW_HEADER =
  "target  calls   frames   lost  late>1s  p50 ms  p90 ms  p99 ms  max ms  send-lag p99  client CPU  hop CPU µs/frame";

export function row(target: string, calls: number, r: RunResult | string): string {
  if (typeof r === "string") return `${target.padEnd(7)} ${String(calls).padStart(5)}  FAILED: ${r}`;
  return `${target.padEnd(7)} ${String(calls).padStart(5)} ${String(r.sent).padStart(8)} ${String(lostOf(r)).padStart(6)} ${String(r.tooLate).padStart(8)} ${fmt(r.p50)} ${fmt(r.p90)} ${fmt(r.p99)} ${fmt(r.max)} ${fmt(r.sendLagP99)}   ${fmt(r.clientCpuPct)}%  ${fmt(r.hopCpuUs ?? NaN)}`;
}

/** One comparison run: the floor at the bar's size, and each Worker's result at every step it was run at. */
export interface CompareRun {
  floor: RunResult | string | undefined;
  steps: Record<"bare" | "worker", Map<number, RunResult | string>>;
}

const ok = (r: RunResult | string | undefined): r is RunResult => r !== undefined && typeof r !== "string";
const lossFree = (r: RunResult | string | undefined) => ok(r) && lostOf(r) === 0;

/** The largest step run loss-free before the first step that lost frames (0 when the first one did). */
export function capacityOf(steps: Map<number, RunResult | string>, ladder: number[]): number {
  let cap = 0;
  for (const calls of ladder) {
    if (!steps.has(calls)) break;
    if (!lossFree(steps.get(calls))) break;
    cap = calls;
  }
  return cap;
}

interface Figures {
  p50: number;
  p90: number;
  p99: number;
  added: number;
  workerdUs: number;
  hopUs: number;
  lost: number;
  capacity: number | null;
}

function figures(run: CompareRun, t: "bare" | "worker", barCalls: number, ladder: number[] | null): Figures {
  const r = run.steps[t].get(barCalls);
  const floorP99 = ok(run.floor) ? run.floor.p99 : 0;
  const capacity = ladder ? capacityOf(run.steps[t], ladder) : null;
  if (!ok(r)) return { p50: NaN, p90: NaN, p99: NaN, added: NaN, workerdUs: NaN, hopUs: NaN, lost: NaN, capacity };
  return {
    p50: r.p50,
    p90: r.p90,
    p99: r.p99,
    added: r.p99 - floorP99,
    workerdUs: r.workerCpuUs ?? NaN,
    hopUs: r.hopCpuUs ?? NaN,
    lost: lostOf(r),
    capacity,
  };
}

const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The comparison table and the bar's verdict, run by run; returns whether every run met the bar. */
export function printComparison(
  runs: CompareRun[],
  barCalls: number,
  ladder: number[] | null,
  projectLabel: string,
): boolean {
  const name = { bare: "bare", worker: projectLabel } as const;
  console.log(
    `\nbare Worker vs ${projectLabel} Worker, ${barCalls} calls (added = p99 − the floor's p99 in the same run; CPU = µs per round-tripped frame, the Worker's workerd / all of wrangler dev; lost: not back within the deadline, the med row's is the total)${ladder ? `; loss-free capacity over ${ladder.join(", ")} calls` : ""}`,
  );
  console.log(
    "run  Worker     p50 ms   p90 ms   p99 ms  added ms  CPU workerd  CPU all  lost  capacity  |  added ×      CPU ×  bar",
  );
  let met = 0;
  const all: Record<"bare" | "worker", Figures[]> = { bare: [], worker: [] };
  const ratios: { added: number[]; cpu: number[] } = { added: [], cpu: [] };
  runs.forEach((run, i) => {
    const b = figures(run, "bare", barCalls, ladder);
    const w = figures(run, "worker", barCalls, ladder);
    all.bare.push(b);
    all.worker.push(w);
    // The floor is subtracted only when it is sane (below the bare Worker's p99); a disturbed floor run would
    // make both figures meaningless, and the ratio of the raw p99s is judged instead (marked "raw").
    const sane = b.added > 0 && w.added > 0;
    const added = sane ? w.added / b.added : w.p99 / b.p99;
    const cpu = w.workerdUs / b.workerdUs;
    ratios.added.push(added);
    ratios.cpu.push(cpu);
    const pass =
      added <= BAR.p99 && cpu <= BAR.cpu && w.lost === 0 && b.lost === 0 && (ladder ? w.capacity === b.capacity : true);
    if (pass) met++;
    for (const [t, f] of [
      ["bare", b],
      ["worker", w],
    ] as const) {
      const tail =
        t === "worker"
          ? `  |  ${fmt(added, 7, 2)}${sane ? "    " : " raw"}  ${fmt(cpu, 5, 2)}  ${pass ? "met" : "NOT met"}`
          : "";
      console.log(
        `${String(i + 1).padStart(3)}  ${name[t].padEnd(8)} ${fmt(f.p50, 8)} ${fmt(f.p90, 8)} ${fmt(f.p99, 8)} ${fmt(f.added, 9)} ${fmt(f.workerdUs, 12)} ${fmt(f.hopUs, 8)} ${String(Number.isFinite(f.lost) ? f.lost : "n/a").padStart(5)} ${String(f.capacity ?? "-").padStart(9)}${tail}`,
      );
    }
  });
  for (const t of ["bare", "worker"] as const) {
    const m = (k: keyof Figures) => median(all[t].map((f) => Number(f[k])));
    const caps = all[t].map((f) => f.capacity ?? "-").join("/");
    console.log(
      `med  ${name[t].padEnd(8)} ${fmt(m("p50"), 8)} ${fmt(m("p90"), 8)} ${fmt(m("p99"), 8)} ${fmt(m("added"), 9)} ${fmt(m("workerdUs"), 12)} ${fmt(m("hopUs"), 8)} ${String(all[t].reduce((n, f) => n + (Number.isFinite(f.lost) ? f.lost : 0), 0)).padStart(5)} ${caps.padStart(9)}${t === "worker" ? `  |  ${fmt(median(ratios.added), 7, 2)}      ${fmt(median(ratios.cpu), 5, 2)}` : ""}`,
    );
  }
  console.log(
    `\nbar (${projectLabel} added p99 ≤ ${BAR.p99}× bare, CPU/frame ≤ ${BAR.cpu}× bare, 0 lost, same loss-free capacity): met in ${met} of ${runs.length} run(s)`,
  );
  return met === runs.length;
}

export function printFirstAudio(rows: FirstAudio[]): void {
  if (!rows.length) return;
  const [cold, ...warm] = rows;
  const line = (label: string, f: FirstAudio) =>
    `  ${label.padEnd(14)} webhook answered ${fmt(f.webhookMs)} ms, stream started ${fmt(f.streamMs)} ms, first AI audio ${fmt(f.firstAudioMs)} ms`;
  console.log("\ntime to first AI audio (project Worker, welcome message; from the webhook's POST):");
  console.log(line("cold (1st call)", cold!));
  if (warm.length) {
    const med = (k: keyof FirstAudio) => median(warm.map((f) => f[k]));
    console.log(
      line(`warm (median of ${warm.length})`, {
        webhookMs: med("webhookMs"),
        streamMs: med("streamMs"),
        firstAudioMs: med("firstAudioMs"),
      }),
    );
  }
}

/** The classic summary (floor, relay, worker): each hop's added p99 over the floor and the Worker's against the relay's. */
export function printRelaySummary(
  results: Map<string, RunResult | string>,
  callCounts: number[],
  targets: string[],
): { judged: boolean; pass: boolean } {
  console.log("\nadded round-trip p99 over the floor (same run, same clients):");
  let pass = true;
  for (const calls of callCounts) {
    const get = (t: string) => results.get(`${t}:${calls}`);
    const floor = get("floor");
    const relay = get("relay");
    const worker = get("worker");
    const added = (r: RunResult | string | undefined) => (ok(r) && ok(floor) ? r.p99 - floor.p99 : NaN);
    const relayAdded = added(relay);
    const workerAdded = added(worker);
    const ratio = relayAdded > 0.05 ? workerAdded / relayAdded : NaN;
    const direct = get("direct");
    const bare = get("bare");
    const directNote =
      (direct ? `; direct (no dev proxy, diagnostic) +${fmt(added(direct)).trim()} ms` : "") +
      (bare ? `; bare relay Worker (diagnostic) +${fmt(added(bare)).trim()} ms` : "");
    console.log(
      `  ${String(calls).padStart(4)} calls: relay +${fmt(relayAdded).trim()} ms, worker +${fmt(workerAdded).trim()} ms, worker/relay = ${Number.isFinite(ratio) ? ratio.toFixed(2) : "n/a"}${directNote}`,
    );
    const us = (r: RunResult | string | undefined) => (ok(r) ? (r.hopCpuUs ?? NaN) : NaN);
    if (Number.isFinite(us(relay)) && Number.isFinite(us(worker))) {
      console.log(
        `              CPU per round-tripped frame: relay ${us(relay).toFixed(0)} µs, worker ${us(worker).toFixed(0)} µs (wrangler + workerd), worker/relay = ${(us(worker) / us(relay)).toFixed(2)}`,
      );
    }
    if (worker !== undefined) {
      if (!ok(worker) || lostOf(worker) !== 0) pass = false;
      if (calls === 50 && !(workerAdded <= relayAdded)) pass = false;
    }
  }
  const judged = ["floor", "relay", "worker"].every((t) => targets.includes(t)) && callCounts.includes(50);
  if (judged)
    console.log(
      `\nbar (at 50 calls the Worker adds no more p99 than the Node relay; no frame lost at any count): ${pass ? "MET" : "NOT MET"}`,
    );
  else console.log("\nbar not judged: it needs --targets=floor,relay,worker and 50 among --calls");
  return { judged, pass };
}
