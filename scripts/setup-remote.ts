/**
 * `npm run setup:remote [-- --location weur] [--public-url https://voicedesk.example.com] [--rotate-admin-token]
 * [--dry-run]`: from `wrangler login` to a deployed, checked Worker (docs/deploy.md). Finds or creates the D1
 * database (writing its id into wrangler.toml) and the R2 bucket, applies the migrations remotely, generates the
 * missing secrets (ADMIN_TOKEN, ENCRYPTION_KEY, JWT_SECRET unless you give a JWKS URL) and deploys with them, then
 * prints the URLs to configure at each carrier and the health report. `--dry-run` runs nothing against Cloudflare:
 * it prints the wrangler commands a first setup would run.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { fetchReport, formatReport } from "./lib/doctor-report";
import { type RunMode, type SetupDeps, SetupStop, setupRemote } from "./lib/setup-remote";
import { httpsOrigin } from "./lib/setup-text";
import { readConfig, type RunResult, WRANGLER_BIN } from "./lib/wrangler";

const { values } = parseArgs({
  options: {
    location: { type: "string" },
    "public-url": { type: "string" },
    "rotate-admin-token": { type: "boolean", default: false },
    "dry-run": { type: "boolean", default: false },
  },
});
const root = fileURLToPath(new URL("..", import.meta.url));
const toml = join(root, "wrangler.toml");
const dry = values["dry-run"];
const publicUrl = values["public-url"] ? httpsOrigin(values["public-url"]) : null;
if (publicUrl && "problem" in publicUrl) {
  console.error(`setup:remote: --public-url ${publicUrl.problem}`);
  process.exit(1);
}

function runWrangler(args: string[], mode: RunMode): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WRANGLER_BIN, ...args], {
      cwd: root,
      stdio: mode === "interactive" ? "inherit" : ["inherit", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (b: Buffer) => {
      stdout += b;
      if (mode === "tee") process.stdout.write(b);
    });
    child.stderr?.on("data", (b: Buffer) => {
      stderr += b;
      if (mode === "tee") process.stderr.write(b);
    });
    child.on("close", (code) => resolve({ status: code ?? 1, stdout, stderr }));
  });
}

/** --dry-run: what a first setup on an empty account runs; read-only commands answer "nothing there yet". */
const dryCreated: { name: string; uuid: string }[] = [];
async function dryWrangler(args: string[]): Promise<RunResult> {
  console.log(`  [dry run] wrangler ${args.join(" ")}`);
  const cmd = args.slice(0, 3).join(" ");
  if (cmd.startsWith("whoami")) return { status: 0, stdout: "You are logged in (dry run)", stderr: "" };
  if (cmd === "d1 list --json") return { status: 0, stdout: JSON.stringify(dryCreated), stderr: "" };
  if (args[0] === "d1" && args[1] === "create") dryCreated.push({ name: args[2] ?? "", uuid: "<new database id>" });
  if (cmd === "r2 bucket info" || cmd.startsWith("queues info") || cmd.startsWith("secret list"))
    return { status: 1, stdout: "", stderr: "not found" };
  if (args[0] === "deploy") return { status: 0, stdout: "https://voicedesk.your-subdomain.workers.dev", stderr: "" };
  return { status: 0, stdout: "", stderr: "" };
}

const rl = dry ? null : createInterface({ input: process.stdin, output: process.stdout });
const deps: SetupDeps = {
  root,
  config: readConfig(root),
  wrangler: dry ? dryWrangler : runWrangler,
  ask: async (q) => (rl ? rl.question(q) : (console.log(`  [dry run] ${q}→ Enter`), "")),
  log: (line) => console.log(line),
  readToml: () => readFileSync(toml, "utf8"),
  writeToml: (text) => (dry ? console.log("  [dry run] wrangler.toml not written") : writeFileSync(toml, text)),
  writeSecretsFile(values) {
    if (dry) return { path: "<secrets file>", remove: () => {} };
    const dir = mkdtempSync(join(tmpdir(), "voicedesk-secrets-"));
    const path = join(dir, "secrets.json");
    writeFileSync(path, JSON.stringify(values), { mode: 0o600 });
    chmodSync(path, 0o600);
    return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
  },
  async doctor(base, adminToken) {
    if (dry) return console.log(`  [dry run] npm run doctor -- --url ${base}`);
    const got = await fetchReport({ url: base, adminToken });
    console.log("problem" in got ? `doctor: ${got.problem}` : formatReport(got.report, base));
  },
};

try {
  await setupRemote(deps, {
    location: values.location,
    publicUrl: publicUrl && "origin" in publicUrl ? publicUrl.origin : undefined,
    rotateAdminToken: values["rotate-admin-token"],
    dryRun: dry,
  });
} catch (e) {
  if (!(e instanceof SetupStop)) throw e;
  console.error(`\nsetup:remote stopped: ${e.message}`);
  process.exitCode = 1;
} finally {
  rl?.close();
}
