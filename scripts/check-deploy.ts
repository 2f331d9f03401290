/**
 * `npm run check:deploy` (run by .ci/run): the Worker bundles for deployment within its size budget, and what is
 * generated from wrangler.toml is current. Exits 1 naming every problem. Flags: `--root DIR` (another checkout, for
 * the tests of this script), `--only types,env,migrations,bundle`, `--budget-raw-kib N`, `--budget-gzip-kib N`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BUNDLE_BUDGET, budgetProblems, describeBundle, dryRunBundle, measureBundle } from "./lib/bundle-budget";
import { envTypesProblems, migrationListProblems, missingFromEnvProblems } from "./lib/env-checks";

const { values } = parseArgs({
  options: {
    root: { type: "string", default: fileURLToPath(new URL("..", import.meta.url)) },
    only: { type: "string", default: "types,env,migrations,bundle" },
    "budget-raw-kib": { type: "string" },
    "budget-gzip-kib": { type: "string" },
  },
});
const root = values.root;
const only = new Set(values.only.split(","));
const budget = {
  rawKiB: Number(values["budget-raw-kib"] ?? BUNDLE_BUDGET.rawKiB),
  gzipKiB: Number(values["budget-gzip-kib"] ?? BUNDLE_BUDGET.gzipKiB),
};

function bundle(): { problems: string[]; summary: string } {
  const outdir = mkdtempSync(join(tmpdir(), "voicedesk-bundle-"));
  try {
    dryRunBundle(root, outdir);
    const size = measureBundle(outdir);
    return { problems: budgetProblems(size, budget), summary: describeBundle(size, budget) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const checks: [string, string, () => { problems: string[]; summary: string }][] = [
  [
    "types",
    "worker-configuration.d.ts is what wrangler types generates",
    () => ({ problems: envTypesProblems(root), summary: "" }),
  ],
  ["env", "every wrangler.toml binding is in Env", () => ({ problems: missingFromEnvProblems(root), summary: "" })],
  [
    "migrations",
    "the bundled migration list matches migrations/",
    () => ({ problems: migrationListProblems(root), summary: "" }),
  ],
  ["bundle", "wrangler deploy --dry-run bundles within budget", bundle],
];

let failed = 0;
for (const [key, title, run] of checks) {
  if (!only.has(key)) continue;
  let result: { problems: string[]; summary: string };
  try {
    result = run();
  } catch (e) {
    result = { problems: [e instanceof Error ? e.message : String(e)], summary: "" };
  }
  failed += result.problems.length;
  console.log(`${result.problems.length ? "✗" : "✓"} ${title}${result.summary ? `: ${result.summary}` : ""}`);
  for (const p of result.problems) console.log(`    ${p}`);
}
if (failed) {
  console.error(`check:deploy: ${failed} problem${failed === 1 ? "" : "s"}`);
  process.exit(1);
}
