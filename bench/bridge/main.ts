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
 *
 * Process model (fairness): wrangler dev / workerd, the echo fake, the Node relay and each load run are separate
 * processes; every target is driven by the same load process code with the same pacing, frame size and probe.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { newSid } from "../../scripts/lib/twiml-call";
import type { LoadConfig } from "./load";
import { cpuDelta, groupCpu, type CpuSplit } from "./cpu";
import { InspectorProfiler } from "./profile";
import { applyMigrations, findWorkerEntry, runLoad, startScript, startWranglerDev, stopAll } from "./processes";
import type { RunResult } from "./stats";

const PORTS = {
  wrangler: 8795,
  fake: 9101,
  relay: 9102,
  inspector: 9103,
  deadTwilio: 9104,
  bare: 8796,
  bareInspector: 9105,
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
    calls: { type: "string", default: "50,200" },
    seconds: { type: "string", default: "20" },
    targets: { type: "string", default: "floor,relay,worker" },
    strict: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    profile: { type: "string" },
  },
  strict: false,
});
const callCounts = String(values.calls).split(",").map(Number);
const seconds = Number(values.seconds);
const targets = String(values.targets).split(",") as Target[];
if (callCounts.some((n) => !(n >= 1 && n <= 60_000)) || !(seconds > 0) || targets.some((t) => !TARGETS.includes(t))) {
  console.error(
    "usage: --calls=50,200 --seconds=20 --targets=floor,relay,worker[,direct][,bare] [--strict] [--profile=FILE]",
  );
  process.exit(2);
}

const tmp = mkdtempSync(join(tmpdir(), "voicedesk-bench-bridge-"));
const creds = { accountSid: newSid("AC"), authToken: randomBytes(16).toString("hex") };
const ASSISTANT_NUMBER = "+15550107000";
process.on("SIGINT", () => {
  stopAll();
  process.exit(130);
});

async function provisionWorkerTenant(base: string, adminToken: string): Promise<void> {
  const admin = async (path: string, body: unknown) => {
    const r = await fetch(`${base}/api/admin${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (r.status !== 201) throw new Error(`POST /api/admin${path} → ${r.status} ${await r.text()}`);
    return (await r.json()) as { id: number };
  };
  const customer = await admin("/customers", {
    name: "Bridge bench",
    twilio: {
      ...creds,
      apiKeySid: newSid("SK"),
      apiKeySecret: randomBytes(12).toString("hex"),
      twimlAppSid: newSid("AP"),
    },
    openai: { apiKey: "sk-bench", transcriptionActive: false },
  });
  const assistant = await admin(`/customers/${customer.id}/assistants`, {
    name: "Echo",
    instructions: "Benchmark: the far end echoes audio.",
  });
  await admin(`/customers/${customer.id}/phone-numbers`, { number: ASSISTANT_NUMBER, assistantId: assistant.id });
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1).padStart(7) : "    n/a");
function row(target: string, calls: number, r: RunResult | string): string {
  if (typeof r === "string") return `${target.padEnd(7)} ${String(calls).padStart(5)}  FAILED: ${r}`;
  return `${target.padEnd(7)} ${String(calls).padStart(5)} ${String(r.sent).padStart(8)} ${String(r.lost).padStart(6)} ${String(r.late).padStart(6)} ${fmt(r.p50)} ${fmt(r.p90)} ${fmt(r.p99)} ${fmt(r.max)} ${fmt(r.sendLagP99)}   ${fmt(r.clientCpuPct)}%  ${fmt(r.hopCpuUs ?? NaN)}`;
}

let profiler: InspectorProfiler | null = null;

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
  const groups: Record<Target, number> = { floor: fake.pid!, relay: 0, worker: 0, direct: 0, bare: 0 };
  const fakeBase = `http://127.0.0.1:${PORTS.fake}/v1`;
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
  }
  let workerBase = "";
  let directBase = "";
  if (targets.includes("worker") || targets.includes("direct")) {
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
    await provisionWorkerTenant(workerBase, adminToken);
    if (values.profile) profiler = await InspectorProfiler.connect(PORTS.inspector);
    console.log(
      `wrangler dev ready on ${workerBase} in ${((performance.now() - t) / 1000).toFixed(1)} s (log: ${logFile})`,
    );
  }

  let bareBase = "";
  if (targets.includes("bare")) {
    const bare = await startWranglerDev({
      config: "bench/bridge/bare-worker/wrangler.toml",
      port: PORTS.bare,
      inspectorPort: PORTS.bareInspector,
      persistTo: join(tmp, "bare-state"),
      logFile: join(tmp, "bare-wrangler.log"),
      vars: { OPENAI_BASE_URL: fakeBase, TWILIO_ACCOUNT_SID: creds.accountSid, TWILIO_AUTH_TOKEN: creds.authToken },
    });
    bareBase = bare.base;
    groups.bare = bare.pgid;
    console.log(`bare relay Worker ready on ${bareBase}`);
  }

  const results = new Map<string, RunResult | string>();
  console.log(
    `\ntarget  calls   frames   lost   late   p50 ms  p90 ms  p99 ms  max ms  send-lag p99  client CPU  hop CPU µs/frame`,
  );
  for (const calls of callCounts) {
    for (const target of targets) {
      const base = { floor: fakeBase, relay: relayBase, worker: workerBase, direct: directBase, bare: bareBase }[
        target
      ];
      const cfg: LoadConfig = {
        target: target === "floor" ? "floor" : "twilio",
        base,
        ...creds,
        to: ASSISTANT_NUMBER,
        calls,
        seconds,
        drainMs: 5000,
      };
      // CPU burned by the hop (and by the echo fake) while the calls were paced, per frame that made the round trip.
      const none: CpuSplit = { worker: NaN, proxy: NaN, cli: NaN, total: NaN };
      const cpu = { hop0: none, fake0: none, hop: none, fake: none };
      const profiling = (target === "worker" || target === "direct") && profiler ? profiler : null;
      const profileFile = `${values.profile}${callCounts.length > 1 ? `.${calls}` : ""}${target === "direct" ? ".direct" : ""}`;
      let profileStart: Promise<unknown> = Promise.resolve();
      let profileSummary: Promise<string> | null = null;
      const r = await runLoad(cfg, (phase) => {
        const hop = groupCpu(groups[target]) ?? none;
        const fakeCpu = groupCpu(groups.floor) ?? none;
        if (phase === "measuring") {
          Object.assign(cpu, { hop0: hop, fake0: fakeCpu });
          if (profiling) profileStart = profiling.start();
        } else {
          Object.assign(cpu, { hop: cpuDelta(hop, cpu.hop0), fake: cpuDelta(fakeCpu, cpu.fake0) });
          if (profiling) profileSummary = profileStart.then(() => profiling.stop(profileFile));
        }
      }).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
      if (typeof r !== "string") {
        const us = (s: number) => (s / r.received) * 1e6;
        Object.assign(r, { hopCpuUs: us(cpu.hop.total), fakeCpuUs: us(cpu.fake.total) });
        if (underWrangler(target))
          Object.assign(r, {
            workerCpuUs: us(cpu.hop.worker),
            proxyCpuUs: us(cpu.hop.proxy),
            cliCpuUs: us(cpu.hop.cli),
          });
      }
      results.set(`${target}:${calls}`, r);
      console.log(row(target, calls, r));
      if (typeof r !== "string" && underWrangler(target)) {
        console.log(
          `        worker CPU µs/frame: workerd (Worker) ${fmt(r.workerCpuUs ?? NaN).trim()}, workerd (dev proxy) ${fmt(r.proxyCpuUs ?? NaN).trim()}, wrangler CLI ${fmt(r.cliCpuUs ?? NaN).trim()}; echo fake ${fmt(r.fakeCpuUs ?? NaN).trim()}`,
        );
      }
      if (profileSummary)
        console.log(
          `${await (profileSummary as Promise<string>).catch((e: unknown) => `  profile failed: ${String(e)}`)}\n  profile written to ${profileFile}`,
        );
      if (typeof r !== "string" && (r.duplicates || r.unmatchedPayloads))
        console.log(
          `        (${r.duplicates} duplicate frames, ${r.unmatchedPayloads} payloads without a bench frame)`,
        );
      // Let the previous run's teardown (the Worker finalizes 2 recordings per call) finish before timing again.
      await new Promise((res) => setTimeout(res, target === "worker" || target === "direct" ? 8000 : 2000));
    }
  }

  console.log("\nadded round-trip p99 over the floor (same run, same clients):");
  let pass = true;
  for (const calls of callCounts) {
    const get = (t: Target) => results.get(`${t}:${calls}`);
    const floor = get("floor");
    const relay = get("relay");
    const worker = get("worker");
    const added = (r: RunResult | string | undefined) =>
      r && typeof r !== "string" && floor && typeof floor !== "string" ? r.p99 - floor.p99 : NaN;
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
    const us = (r: RunResult | string | undefined) => (r && typeof r !== "string" ? (r.hopCpuUs ?? NaN) : NaN);
    if (Number.isFinite(us(relay)) && Number.isFinite(us(worker))) {
      console.log(
        `              CPU per round-tripped frame: relay ${us(relay).toFixed(0)} µs, worker ${us(worker).toFixed(0)} µs (wrangler + workerd), worker/relay = ${(us(worker) / us(relay)).toFixed(2)}`,
      );
    }
    if (worker !== undefined) {
      const lost = typeof worker === "string" ? Infinity : worker.lost;
      if (lost !== 0) pass = false;
      if (calls === 50 && !(workerAdded <= relayAdded)) pass = false;
    }
  }
  const judged =
    (["floor", "relay", "worker"] as Target[]).every((t) => targets.includes(t)) && callCounts.includes(50);
  if (judged)
    console.log(
      `\nbar (at 50 calls the Worker adds no more p99 than the Node relay; no frame lost at any count): ${pass ? "MET" : "NOT MET"}`,
    );
  else console.log("\nbar not judged: it needs --targets=floor,relay,worker and 50 among --calls");
  const failedRuns = [...results.values()].filter((r) => typeof r === "string").length;
  return failedRuns === 0 && (!values.strict || (judged && pass));
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
