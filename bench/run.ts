/**
 * `npm run bench` runs every benchmark (bench/<name>/main.ts) one after another and prints their figures;
 * `npm run bench -- finalize bridge` runs only those named. Everything from the first flag on is passed to each
 * benchmark as is, values included (`npm run bench -- bridge --runs 3 --capacity`).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const here = new URL(".", import.meta.url).pathname;
const all = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, "main.ts")))
  .map((d) => d.name)
  .sort();
const args = process.argv.slice(2);
const firstFlag = args.findIndex((a) => a.startsWith("-"));
const wanted = firstFlag < 0 ? args : args.slice(0, firstFlag);
const forwarded = firstFlag < 0 ? [] : args.slice(firstFlag);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; have: ${all.join(", ")}`);
  process.exit(2);
}
// Every wrangler a benchmark starts keeps a debug log, by default in ~/.config/.wrangler/logs and forever: with
// four entries per subrequest of the Worker (its inspector's network events) that is megabytes per run. Here it
// is one folder per `npm run bench`, removed when every benchmark passed and named when one failed.
const wranglerLogs = mkdtempSync(join(tmpdir(), "voicedesk-bench-wrangler-logs-"));
let failed = 0;
for (const name of wanted.length ? wanted : all) {
  console.log(`\n=== bench/${name} ===`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(here, name, "main.ts"), ...forwarded], {
    stdio: "inherit",
    env: { ...process.env, WRANGLER_LOG_PATH: wranglerLogs },
  });
  if (r.status !== 0) {
    failed++;
    console.error(`bench/${name} failed (exit ${r.status})`);
  }
}
if (failed) console.error(`wrangler's debug logs of this run: ${wranglerLogs}`);
else rmSync(wranglerLogs, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
