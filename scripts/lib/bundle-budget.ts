// The deploy bundle's size budget (docs/deploy.md, "Bundle budget"), measured on `wrangler deploy --dry-run`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { wrangler } from "./wrangler";

/**
 * Measured on the minified bundle (`minify = true` in wrangler.toml). December 2026, with both new carriers, the
 * console's API and the OpenAPI document: 1148 KiB raw / 299 KiB gzip (unminified it had reached 2052 / 410 KiB,
 * over the first budget of 2048 / 400). The budget leaves about a third of raw headroom and a quarter of gzip, yet
 * fails on an accidental heavy dependency (the twilio SDK alone is several times the headroom). Cloudflare's Worker
 * size limits are far above it; what the budget guards is startup time (parsed on every cold start) and review of
 * new weight (docs/deploy.md, "Bundle budget").
 */
export const BUNDLE_BUDGET = { rawKiB: 1536, gzipKiB: 384 };

export interface BundleSize {
  rawBytes: number;
  gzipBytes: number;
  files: string[];
}

/** Bundles without uploading (offline); throws with wrangler's output when bundling fails. */
export function dryRunBundle(root: string, outdir: string): void {
  const r = wrangler(root, ["deploy", "--dry-run", "--outdir", outdir]);
  if (r.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${r.stdout}${r.stderr}`);
}

/** What would be uploaded: every module in the outdir (source maps and wrangler's README are not uploaded). */
export function measureBundle(outdir: string): BundleSize {
  const files = readdirSync(outdir)
    .filter((f) => !f.endsWith(".map") && f !== "README.md" && statSync(join(outdir, f)).isFile())
    .sort();
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const f of files) {
    const bytes = readFileSync(join(outdir, f));
    rawBytes += bytes.length;
    gzipBytes += gzipSync(bytes).length;
  }
  return { rawBytes, gzipBytes, files };
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export const describeBundle = (s: BundleSize, b = BUNDLE_BUDGET) =>
  `bundle ${kib(s.rawBytes)} raw (budget ${b.rawKiB} KiB), ${kib(s.gzipBytes)} gzip (budget ${b.gzipKiB} KiB)`;

export function budgetProblems(s: BundleSize, b = BUNDLE_BUDGET): string[] {
  const problems: string[] = [];
  if (s.files.length === 0) problems.push("the dry run wrote no module");
  if (s.rawBytes > b.rawKiB * 1024) problems.push(`raw size ${kib(s.rawBytes)} is over the budget of ${b.rawKiB} KiB`);
  if (s.gzipBytes > b.gzipKiB * 1024)
    problems.push(`gzip size ${kib(s.gzipBytes)} is over the budget of ${b.gzipKiB} KiB`);
  return problems;
}
