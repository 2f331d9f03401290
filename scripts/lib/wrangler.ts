// Running the project's pinned wrangler from the scripts, and reading its config through wrangler's own parser.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
/** The pinned wrangler's CLI entry, run with this Node (no npx lookup, no network). */
export const WRANGLER_BIN = require.resolve("wrangler/bin/wrangler.js");

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs wrangler in `cwd` and captures its output; never throws on a non-zero exit. */
export function wrangler(cwd: string, args: string[], input?: string): RunResult {
  const r = spawnSync(process.execPath, [WRANGLER_BIN, ...args], {
    cwd,
    input,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? (r.error ? String(r.error) : "") };
}

interface WranglerApi {
  unstable_readConfig(args: { config: string }, opts?: { hideWarnings?: boolean }): WranglerConfig;
  unstable_convertConfigBindingsToStartWorkerBindings(config: WranglerConfig): Record<string, { type: string }>;
}
export interface WranglerConfig {
  name?: string;
  d1_databases: {
    binding: string;
    database_name?: string;
    database_id?: string;
    migrations_dir?: string;
    migrations_table?: string;
  }[];
  r2_buckets: { binding: string; bucket_name?: string }[];
  queues: { producers?: { queue: string }[]; consumers?: { queue: string; dead_letter_queue?: string }[] };
}

const api = () => require("wrangler") as WranglerApi;

export const readConfig = (root: string): WranglerConfig =>
  api().unstable_readConfig({ config: join(root, "wrangler.toml") }, { hideWarnings: true });

/** Every binding wrangler.toml declares (D1, R2, Durable Objects, vars, …), by name → wrangler's binding type. */
export function configBindings(root: string): Record<string, string> {
  const all = api().unstable_convertConfigBindingsToStartWorkerBindings(readConfig(root));
  return Object.fromEntries(Object.entries(all).map(([name, b]) => [name, b.type]));
}
