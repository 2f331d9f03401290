/**
 * bench/bridge: round-trip latency of live-call audio through the Worker (Twilio client → Worker → OpenAI
 * echo fake → Worker → Twilio client) at real-time pace, against two references measured in the same run:
 * the harness's floor (same clients talking to the echo fake directly) and a plain Node `ws` relay doing the
 * same passthrough. Reported: p50/p90/p99/max and lost frames per run, and the Worker's added p99 over the
 * floor as a ratio of the relay's.
 *
 *   npm run bench -- bridge                       50 and 200 calls, 20 s each, floor + relay + worker
 *   npm run bench -- bridge --calls=50 --seconds=10 --targets=floor,relay
 *   --strict   exit 1 when the bar is not met (Worker p99 added ≤ relay's at 50 calls; no frame lost)
 *   --profile=FILE   V8 CPU profile of the Worker's workerd during each Worker run (FILE, or FILE.<calls>.cpuprofile)
 *   --alloc    bytes the Worker's isolate allocated per round-tripped frame during each project and bare run, and the
 *              top allocation sites (V8's sampling heap profiler; perturbs the timings: a diagnostic, not a figure)
 *
 *   npm run bench -- bridge --runs 3 --capacity   issue 17's comparison (compare.ts): the bare Worker and the project
 *                    Worker in the same runs, the bar's size (50 calls) and a loss-free capacity step search
 *                    (--steps=50,100,150,200), --runs times, then the table and time to first AI audio
 *   --self-check     the same comparison with a second copy of the bare Worker in the project's place: two Workers
 *                    that cost exactly the same, so how often the verdict passes them is the bar's noise floor here
 *
 * Process model (fairness): wrangler dev / workerd, the echo fake, the Node relay and each load run are separate
 * processes; every target is driven by the same load process code with the same pacing, frame size and probe.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { newSid } from "../../scripts/lib/twiml-call";
import type { LoadConfig } from "./load";
import { compare } from "./compare";
import { cpuDelta, groupCpu, settle, type CpuSplit } from "./cpu";
import { InspectorProfiler, type Allocations } from "./profile";
import { applyMigrations, findWorkerEntry, runLoad, startScript, startWranglerDev, stopAll } from "./processes";
import { measureFirstAudio, type FirstAudio } from "./first-audio";
import { printRelaySummary, ROW_HEADER, row } from "./report";
import type { RunResult } from "./stats";
import { ASSISTANT_NUMBER, GREETER_NUMBER, provisionWorkerTenant } from "./tenant";

/** wrangler dev and the echo fake within 8795-8799; the relay and the dead Twilio address only when asked for. */
const PORTS = {
  wrangler: 8795,
  bare: 8796,
  fake: 8797,
  inspector: 8798,
  bareInspector: 8799,
  relay: 9102,
  deadTwilio: 9104,
};
/**
 * Diagnostics, not part of the bar: `direct`, the same wrangler dev Worker reached without the dev proxy;
 * `bare`, the Node relay's passthrough as a bare Worker under wrangler dev (bare-worker/), what workerd itself costs.
 */
type Target = "floor" | "relay" | "worker" | "direct" | "bare";
const TARGETS: Target[] = ["floor", "relay", "worker", "direct", "bare"];
const underWrangler = (t: Target) => t === "worker" || t === "direct" || t === "bare";

const { values } = parseArgs({
  options: {
    calls: { type: "string" },
    seconds: { type: "string" },
    targets: { type: "string" },
    strict: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    profile: { type: "string" },
    alloc: { type: "boolean", default: false },
    timeline: { type: "string" },
    runs: { type: "string" },
    capacity: { type: "boolean", default: false },
    steps: { type: "string", default: "50,100,150,200" },
    "deadline-ms": { type: "string", default: "1000" },
    "first-audio": { type: "string", default: "6" },
    "self-check": { type: "boolean", default: false },
  },
  strict: false,
});
/** `--runs`/`--capacity`: issue 17's comparison of the bare and the project Worker (compare.ts). */
const selfCheck = Boolean(values["self-check"]);
const comparing = values.runs !== undefined || Boolean(values.capacity) || selfCheck;
/** The `worker` target's name in a comparison's rows, and in its timeline files' names. */
const projectLabel = selfCheck ? "bare #2" : "project";
const projectFileKey = selfCheck ? "bare2" : "project";
const runsWanted = Number(values.runs ?? 1);
const steps = String(values.steps).split(",").map(Number);
const callCounts = String(values.calls ?? (comparing ? "50" : "50,200"))
  .split(",")
  .map(Number);
const seconds = Number(values.seconds ?? (comparing ? 8 : 20));
const deadlineMs = Number(values["deadline-ms"]);
const targets = String(values.targets ?? (comparing ? "floor,bare,worker" : "floor,relay,worker")).split(
  ",",
) as Target[];
const badCounts = (xs: number[]) => xs.some((n) => !(Number.isInteger(n) && n >= 1 && n <= 60_000));
if (
  badCounts(callCounts) ||
  badCounts(steps) ||
  !(seconds > 0) ||
  !(deadlineMs > 0) ||
  !(Number.isInteger(runsWanted) && runsWanted >= 1) ||
  targets.some((t) => !TARGETS.includes(t)) ||
  (comparing && !(targets.includes("bare") && targets.includes("worker")))
) {
  console.error(
    "usage: --calls=50,200 --seconds=20 --targets=floor,relay,worker[,direct][,bare] [--strict] [--profile=FILE] [--alloc] [--timeline=DIR]\n" +
      "       --runs 3 [--capacity [--steps=50,100,150,200]] [--seconds=8] [--deadline-ms=1000] [--first-audio=6] [--self-check]  (needs the bare and worker targets)",
  );
  process.exit(2);
}

const tmp = mkdtempSync(join(tmpdir(), "voicedesk-bench-bridge-"));
const creds = { accountSid: newSid("AC"), authToken: randomBytes(16).toString("hex") };
process.on("SIGINT", () => {
  stopAll();
  process.exit(130);
});

let profiler: InspectorProfiler | null = null;
const bases: Record<Target, string> = { floor: "", relay: "", worker: "", direct: "", bare: "" };
const groups: Record<Target, number> = { floor: 0, relay: 0, worker: 0, direct: 0, bare: 0 };
const results = new Map<string, RunResult | string>();
let firstAudio: FirstAudio[] = [];

async function main(): Promise<boolean> {
  console.log(
    `bridge bench: ${callCounts.join(" and ")} calls × ${seconds} s, one 160-byte frame per call every 20 ms; targets ${targets.join(", ")}`,
  );
  const fake = await startScript(
    "scripts/fake-openai.ts",
    ["--echo", "--quiet", "--port", String(PORTS.fake)],
    /listening on/,
    join(tmp, "fake.log"),
  );
  groups.floor = fake.pid!;
  const fakeBase = `http://127.0.0.1:${PORTS.fake}/v1`;
  bases.floor = fakeBase;
  let relayBase = "";
  if (targets.includes("relay")) {
    groups.relay = (
      await startScript(
        "bench/bridge/node-relay.ts",
        [
          "--port",
          String(PORTS.relay),
          "--openai",
          fakeBase,
          "--account-sid",
          creds.accountSid,
          "--auth-token",
          creds.authToken,
        ],
        /listening on/,
        join(tmp, "relay.log"),
      )
    ).pid!;
    relayBase = `http://127.0.0.1:${PORTS.relay}`;
    bases.relay = relayBase;
  }
  let workerBase = "";
  let directBase = "";
  if (selfCheck) {
    // The project's ports, a second bare Worker: everything the load and the CPU accounting see is the same as for
    // the project, except the code behind them.
    const twin = await startBare(PORTS.wrangler, PORTS.inspector, "twin");
    Object.assign(bases, { worker: twin.base });
    groups.worker = twin.pgid;
    console.log(`self-check: a second bare relay Worker on ${twin.base} takes the project's place`);
  } else if (targets.includes("worker") || targets.includes("direct")) {
    const adminToken = randomBytes(16).toString("hex");
    const persistTo = join(tmp, "state");
    const logFile = join(tmp, "wrangler.log");
    const t = performance.now();
    await applyMigrations(persistTo, logFile);
    const dev = await startWranglerDev({
      port: PORTS.wrangler,
      inspectorPort: PORTS.inspector,
      persistTo,
      logFile,
      vars: {
        ADMIN_TOKEN: adminToken,
        JWT_SECRET: randomBytes(32).toString("hex"),
        ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        OPENAI_BASE_URL: fakeBase,
        // Nothing listens there: a stray Twilio REST call fails fast instead of reaching for the internet.
        TWILIO_API_BASE_URL: `http://127.0.0.1:${PORTS.deadTwilio}`,
      },
    });
    workerBase = dev.base;
    groups.worker = dev.pgid;
    groups.direct = dev.pgid;
    if (targets.includes("direct")) directBase = await findWorkerEntry(dev.pgid);
    await provisionWorkerTenant(workerBase, adminToken, creds);
    if (values.profile) profiler = await InspectorProfiler.connect(PORTS.inspector);
    console.log(
      `wrangler dev ready on ${workerBase} in ${((performance.now() - t) / 1000).toFixed(1)} s (log: ${logFile})`,
    );
    Object.assign(bases, { worker: workerBase, direct: directBase });
    // Before any load: the first call after the Worker started is the cold one (first-audio.ts).
    if (comparing && Number(values["first-audio"]) > 0)
      firstAudio = await measureFirstAudio(workerBase, creds, GREETER_NUMBER, Number(values["first-audio"]));
  }

  if (targets.includes("bare")) {
    const bare = await startBare(PORTS.bare, PORTS.bareInspector, "bare");
    bases.bare = bare.base;
    groups.bare = bare.pgid;
    console.log(`bare relay Worker ready on ${bare.base}`);
  }

  if (comparing) {
    const barCalls = callCounts[0]!;
    const pass = await compare({
      runs: runsWanted,
      barCalls,
      ladder: values.capacity ? [...new Set([barCalls, ...steps])].sort((x, y) => x - y) : null,
      withFloor: targets.includes("floor"),
      measure: (target, calls) => measure(target, calls, true),
      firstAudioRows: firstAudio,
      projectLabel,
    });
    return !values.strict || pass;
  }
  console.log(`\n${ROW_HEADER}`);
  for (const calls of callCounts) for (const target of targets) await measure(target, calls, false);
  const { judged, pass } = printRelaySummary(results, callCounts, targets);
  const failedRuns = [...results.values()].filter((r) => typeof r === "string").length;
  return failedRuns === 0 && (!values.strict || (judged && pass));
}

/** bare-worker/ under its own wrangler dev; `name` keeps its state and log apart from another copy's. */
function startBare(port: number, inspectorPort: number, name: string) {
  return startWranglerDev({
    config: "bench/bridge/bare-worker/wrangler.toml",
    port,
    inspectorPort,
    persistTo: join(tmp, `${name}-state`),
    logFile: join(tmp, `${name}-wrangler.log`),
    vars: {
      OPENAI_BASE_URL: bases.floor,
      TWILIO_ACCOUNT_SID: creds.accountSid,
      TWILIO_AUTH_TOKEN: creds.authToken,
    },
  });
}

const runsOf = new Map<string, number>();
/** `--timeline=DIR`: one CSV per load run, DIR/<target>-<calls>-<n>.csv (bench/bridge/stalls.ts reads them). */
function timelineFile(target: Target, calls: number): string {
  const key = `${target === "worker" ? projectFileKey : target}-${calls}`;
  const n = (runsOf.get(key) ?? 0) + 1;
  runsOf.set(key, n);
  mkdirSync(String(values.timeline), { recursive: true });
  return join(String(values.timeline), `${key}-${n}.csv`);
}

/** One load run against `target`, its CPU taken from /proc around the paced part; printed as it ends. */
async function measure(target: Target, calls: number, quiet: boolean): Promise<RunResult | string> {
  const cfg: LoadConfig = {
    target: target === "floor" ? "floor" : "twilio",
    base: bases[target],
    ...creds,
    to: ASSISTANT_NUMBER,
    calls,
    seconds,
    drainMs: 5000,
    deadlineMs,
    ...(values.timeline ? { timelineFile: timelineFile(target, calls) } : {}),
  };
  // CPU burned by the hop (and by the echo fake) while the calls were paced, per frame that made the round trip.
  const none: CpuSplit = { worker: NaN, proxy: NaN, cli: NaN, total: NaN };
  const cpu = { hop0: none, fake0: none, hop: none, fake: none };
  const profiling = (target === "worker" || target === "direct") && profiler ? profiler : null;
  const allocPort = target === "worker" ? PORTS.inspector : target === "bare" ? PORTS.bareInspector : null;
  const alloc = values.alloc && allocPort !== null ? await InspectorProfiler.connect(allocPort) : null;
  let allocStart: Promise<unknown> = Promise.resolve();
  let allocs: Promise<Allocations> | null = null;
  const profileFile = `${values.profile}${callCounts.length > 1 || comparing ? `.${calls}` : ""}${target === "direct" ? ".direct" : ""}`;
  let profileStart: Promise<unknown> = Promise.resolve();
  let profileSummary: Promise<string> | null = null;
  const r = await runLoad(cfg, (phase) => {
    const hop = groupCpu(groups[target]) ?? none;
    const fakeCpu = groupCpu(groups.floor) ?? none;
    if (phase === "measuring") {
      Object.assign(cpu, { hop0: hop, fake0: fakeCpu });
      if (profiling) profileStart = profiling.start();
      if (alloc) allocStart = alloc.startAllocations();
    } else {
      Object.assign(cpu, { hop: cpuDelta(hop, cpu.hop0), fake: cpuDelta(fakeCpu, cpu.fake0) });
      if (profiling) profileSummary = profileStart.then(() => profiling.stop(profileFile));
      if (alloc) allocs = allocStart.then(() => alloc.stopAllocations());
    }
  }).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
  if (typeof r !== "string") {
    const us = (s: number) => (s / r.received) * 1e6;
    Object.assign(r, { hopCpuUs: us(cpu.hop.total), fakeCpuUs: us(cpu.fake.total) });
    if (underWrangler(target))
      Object.assign(r, { workerCpuUs: us(cpu.hop.worker), proxyCpuUs: us(cpu.hop.proxy), cliCpuUs: us(cpu.hop.cli) });
  }
  results.set(`${target}:${calls}`, r);
  console.log(row(target === "worker" && quiet ? projectLabel : target, calls, r));
  if (typeof r !== "string" && underWrangler(target)) {
    const f = (n: number | undefined) => (n ?? NaN).toFixed(1);
    console.log(
      `        CPU µs/frame: workerd (Worker) ${f(r.workerCpuUs)}, workerd (dev proxy) ${f(r.proxyCpuUs)}, wrangler CLI ${f(r.cliCpuUs)}; echo fake ${f(r.fakeCpuUs)}`,
    );
  }
  if (profileSummary)
    console.log(
      `${await (profileSummary as Promise<string>).catch((e: unknown) => `  profile failed: ${String(e)}`)}\n  profile written to ${profileFile}`,
    );
  // Awaited whatever the run's outcome, so a failed run never leaves the inspector call to reject unhandled.
  const a = allocs ? await (allocs as Promise<Allocations>).catch((e: unknown) => String(e)) : null;
  if (typeof a === "string") console.log(`        allocations failed: ${a}`);
  else if (a && typeof r !== "string") {
    const kib = (b: number) => (b / r.received / 1024).toFixed(2);
    console.log(
      `        allocated ${(a.bytes / 1e6).toFixed(1)} MB, ${kib(a.bytes)} KiB per round trip; top sites (KiB per round trip):`,
    );
    for (const [site, b] of a.sites) console.log(`          ${kib(b).padStart(6)}  ${site}`);
  }
  alloc?.close();
  if (typeof r !== "string" && (r.duplicates || r.unmatchedPayloads))
    console.log(`        (${r.duplicates} duplicate frames, ${r.unmatchedPayloads} payloads without a bench frame)`);
  // The previous run's teardown (the Worker finalizes 2 recordings per call) ends before anything is timed again.
  await settle(groups[target], underWrangler(target) ? 3000 : 1000);
  return r;
}

main()
  .then(
    (ok) => ok,
    (e: unknown) => {
      console.error(`bridge bench failed: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    },
  )
  .then((ok) => {
    profiler?.close();
    stopAll();
    if (!values.keep) rmSync(tmp, { recursive: true, force: true });
    else console.log(`kept ${tmp}`);
    setTimeout(() => process.exit(ok ? 0 : 1), 300);
  });
