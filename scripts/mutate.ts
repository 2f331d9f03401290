/**
 * `npm run mutate` (docs/testing.md): applies each mutant of scripts/mutants.ts alone to its source file, runs
 * only the test files that cover it (one vitest worker; `testNames` narrows a slow file), and counts killed (a
 * test failed or the run timed out) and survived; prints the score. Every file is restored after its mutant, and
 * on Ctrl-C.
 *
 * StrykerJS is not used: its vitest runner forces `pool: "threads"` and reads mutant coverage from a global in the
 * test thread, while our tests must run inside workerd (@cloudflare/vitest-pool-workers).
 *
 * Flags: `--only id,id` (some mutants), `--list` (print them), `--check` (only check every `find` is in its file
 * once), `--no-baseline` (skip the run of the unmutated tests), `--timeout-s N` (per run, default 600).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { MUTANTS, type Mutant } from "./mutants";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: {
    only: { type: "string" },
    list: { type: "boolean", default: false },
    check: { type: "boolean", default: false },
    "no-baseline": { type: "boolean", default: false },
    "timeout-s": { type: "string", default: "600" },
  },
});
const timeoutMs = Number(values["timeout-s"]) * 1000;
const logDir = join(root, ".mutation");

function occurrences(text: string, find: string): number {
  let n = 0;
  for (let at = text.indexOf(find); at >= 0; at = text.indexOf(find, at + 1)) n++;
  return n;
}

/** What is wrong with the list itself: unknown ids, a `find` not in its file exactly once, missing test files. */
function problems(mutants: Mutant[]): string[] {
  const out: string[] = [];
  const ids = new Set<string>();
  for (const m of mutants) {
    if (ids.has(m.id)) out.push(`${m.id}: duplicate id`);
    ids.add(m.id);
    const path = join(root, m.file);
    if (!existsSync(path)) {
      out.push(`${m.id}: no file ${m.file}`);
      continue;
    }
    const n = occurrences(readFileSync(path, "utf8"), m.find);
    if (n !== 1) out.push(`${m.id}: the text to replace occurs ${n} times in ${m.file}`);
    for (const t of m.tests) if (!existsSync(join(root, t))) out.push(`${m.id}: no test file ${t}`);
    if (m.tests.length === 0) out.push(`${m.id}: no test files`);
  }
  return out;
}

/** One vitest run of these files with a single worker; true when every test passed. */
function runTests(
  files: string[],
  logName: string,
  testNames?: string,
): Promise<{ passed: boolean; timedOut: boolean; ms: number }> {
  const started = Date.now();
  const args = ["vitest", "run", "--maxWorkers=1", "--bail=1", "--reporter=dot", ...files];
  if (testNames) args.push("-t", testNames);
  return new Promise((resolve) => {
    const child = spawn("npx", args, { cwd: root, detached: true, env: { ...process.env, CI: "" } });
    const log: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => log.push(b));
    child.stderr.on("data", (b: Buffer) => log.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) process.kill(-child.pid, "SIGKILL"); // the whole group: vitest and its workerd
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      writeFileSync(join(logDir, `${logName}.log`), Buffer.concat(log));
      resolve({ passed: code === 0 && !timedOut, timedOut, ms: Date.now() - started });
    });
  });
}

/** Source files with a mutant applied right now, and their original text: restored on exit, whatever happens. */
const applied = new Map<string, string>();
function restoreAll() {
  for (const [path, text] of applied) writeFileSync(path, text);
  applied.clear();
}
for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.on(sig, () => {
    restoreAll();
    process.exit(130);
  });

async function main() {
  const wanted = values.only ? new Set(values.only.split(",")) : null;
  const mutants = wanted ? MUTANTS.filter((m) => wanted.has(m.id)) : MUTANTS;
  if (wanted && mutants.length !== wanted.size) {
    const known = new Set(MUTANTS.map((m) => m.id));
    console.error(`unknown mutant(s): ${[...wanted].filter((id) => !known.has(id)).join(", ")}`);
    process.exit(2);
  }
  if (values.list) {
    for (const m of mutants) console.log(`${m.id.padEnd(36)} ${m.area.padEnd(12)} ${m.bug}`);
    return;
  }
  const bad = problems(mutants);
  if (bad.length) {
    console.error(bad.join("\n"));
    process.exit(2);
  }
  if (values.check) {
    console.log(`${mutants.length} mutants, all applicable`);
    return;
  }
  mkdirSync(logDir, { recursive: true });
  const runnable = mutants.filter((m) => !m.equivalent);
  if (!values["no-baseline"]) {
    const files = [...new Set(runnable.flatMap((m) => m.tests))].sort();
    console.log(`baseline: ${files.length} test files, unmutated…`);
    const base = await runTests(files, "baseline");
    if (!base.passed) {
      console.error(`the unmutated tests fail (see .mutation/baseline.log): fix them before mutating`);
      process.exit(1);
    }
    console.log(`baseline passed in ${Math.round(base.ms / 1000)} s`);
  }
  const survivors: Mutant[] = [];
  let killed = 0;
  for (const [i, m] of runnable.entries()) {
    const path = join(root, m.file);
    const original = readFileSync(path, "utf8");
    applied.set(path, original);
    writeFileSync(
      path,
      original.replace(m.find, () => m.replace),
    );
    let r: Awaited<ReturnType<typeof runTests>>;
    try {
      r = await runTests(m.tests, m.id, m.testNames);
    } finally {
      restoreAll();
    }
    const verdict = r.passed ? "SURVIVED" : r.timedOut ? "killed (timeout)" : "killed";
    if (r.passed) survivors.push(m);
    else killed++;
    console.log(`[${i + 1}/${runnable.length}] ${verdict.padEnd(16)} ${m.id} (${Math.round(r.ms / 1000)} s)`);
  }
  const equivalent = mutants.filter((m) => m.equivalent);
  for (const m of equivalent) console.log(`equivalent (not run) ${m.id}: ${m.equivalent}`);
  const score = runnable.length ? (100 * killed) / runnable.length : 100;
  console.log(
    `\nmutants: ${mutants.length} (${equivalent.length} equivalent), run: ${runnable.length}, killed: ${killed}, ` +
      `survived: ${survivors.length}\nmutation score: ${score.toFixed(1)} % (killed / run), ` +
      `${((100 * killed) / Math.max(1, mutants.length)).toFixed(1)} % of all listed`,
  );
  for (const m of survivors) console.log(`  survived: ${m.id} — ${m.bug} (${m.file}; tests: ${m.tests.join(", ")})`);
  if (survivors.length) process.exitCode = 1;
}

await main();
