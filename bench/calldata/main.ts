/**
 * bench/calldata: 1,000,000 calls for one tenant in local D1, then list and analytics timings against
 * `wrangler dev` on port 8793. Steps: migrations → provision the tenant through the admin API → stop the Worker →
 * seed with generated SQL (`wrangler d1 execute --local --file`, see seed-sql.ts) → start the Worker → measure.
 * Flags: --calls=N (default 1000000), --reps=N list requests per combination (default 40), --keep (keep the data dir).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mintRepToken } from "../../scripts/dev-env.mjs";
import { seedSql } from "./seed-sql";

const arg = (name: string, dflt: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? dflt);
const CALLS = arg("calls", 1_000_000);
const REPS = arg("reps", 40);
const PORT = 8793;
const BASE = `http://127.0.0.1:${PORT}`;
const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "calldata-bench-"));
const secrets = {
  JWT_SECRET: randomBytes(32).toString("hex"),
  ADMIN_TOKEN: randomBytes(16).toString("hex"),
  ENCRYPTION_KEY: randomBytes(32).toString("base64"),
};
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" };
const t0 = Date.now();
const log = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${s}`);

function wrangler(args: string[]) {
  const r = spawnSync("npx", ["wrangler", ...args], { cwd: root, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
}

async function startWorker(): Promise<ChildProcess> {
  const vars = Object.entries(secrets).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const child = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--port",
      String(PORT),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      dir,
      "--log-level",
      "warn",
      ...vars,
    ],
    {
      cwd: root,
      env,
      stdio: ["ignore", "ignore", "inherit"],
      detached: true,
    },
  );
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${BASE}/health`)).ok) return child;
    } catch {}
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("wrangler dev did not answer within 2 minutes");
}

async function stopWorker(child: ChildProcess) {
  if (child.exitCode !== null || !child.pid) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(-child.pid, "SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
}

async function adminPost<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${BASE}/api/admin${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function provision() {
  const hex = (n: number) => randomBytes(n).toString("hex");
  const customer = await adminPost<{ id: number }>("/customers", {
    name: "Bench tenant",
    twilio: {
      accountSid: `AC${hex(16)}`,
      authToken: hex(16),
      apiKeySid: `SK${hex(16)}`,
      apiKeySecret: hex(16),
      twimlAppSid: `AP${hex(16)}`,
    },
  });
  const rep = await adminPost<{ id: number }>(`/customers/${customer.id}/reps`, { name: "Bench rep" });
  const campaigns: number[] = [];
  for (let i = 0; i < 20; i++) {
    const c = await adminPost<{ id: number }>(`/customers/${customer.id}/campaigns`, {
      name: `Campaign ${i}`,
      survey: { questions: [{ text: "How satisfied are you?" }] },
    });
    campaigns.push(c.id);
  }
  const token = await mintRepToken(secrets, rep.id, "voice:read audio:download", "2h");
  return { customerId: customer.id, campaigns, token };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

async function timed(path: string, token: string): Promise<{ ms: number; body: Record<string, unknown> }> {
  const start = performance.now();
  const res = await fetch(BASE + path, { headers: { Authorization: `Bearer ${token}` } });
  const body = (await res.json()) as Record<string, unknown>;
  const ms = performance.now() - start;
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return { ms, body };
}

async function main() {
  let worker: ChildProcess | null = null;
  try {
    log(`data dir ${dir}; applying migrations`);
    wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", dir]);
    worker = await startWorker();
    const tenant = await provision();
    log(`provisioned tenant ${tenant.customerId} with ${tenant.campaigns.length} campaigns through the admin API`);
    await stopWorker(worker);
    worker = null;

    const endMs = Date.now();
    const sqlFile = join(dir, "seed.sql");
    writeFileSync(
      sqlFile,
      seedSql({
        customerId: tenant.customerId,
        campaignIds: tenant.campaigns,
        calls: CALLS,
        batch: 100_000,
        endMs,
        days: 365,
      }),
    );
    const seedStart = Date.now();
    wrangler(["d1", "execute", "DB", "--local", "--persist-to", dir, "--file", sqlFile, "--yes"]);
    log(
      `seeded ${CALLS.toLocaleString("en")} calls (+ recordings, tool calls) in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`,
    );

    worker = await startWorker();
    log("worker up; measuring");
    const month = new Date(endMs - 45 * 86_400_000).toISOString().slice(0, 7);
    const [camp, camp2] = tenant.campaigns;
    const lists: [string, string][] = [
      ["no filter, page 1", "?pageSize=50"],
      ["no filter, page 100", "?pageSize=50&page=100"],
      ["no filter, page 2000 (offset 99,950)", "?pageSize=50&page=2000"],
      ["state=Completed", "?state=Completed"],
      ["state=Busy&direction=Inbound", "?state=Busy&direction=Inbound"],
      ["campaignId", `?campaignId=${camp}`],
      [
        "campaignId&state=Completed&direction=Outbound, page 5",
        `?campaignId=${camp2}&state=Completed&direction=Outbound&page=5`,
      ],
      ["one month (dateFrom/dateTo)", `?dateFrom=${month}-01&dateTo=${month}-28`],
      [
        "one month & state=NoAnswer, pageSize=200",
        `?dateFrom=${month}-01&dateTo=${month}-28&state=NoAnswer&pageSize=200`,
      ],
    ];
    console.log("\nGET /api/v1/voice-calls (ms, sequential, warm)");
    console.log(`${"query".padEnd(58)} ${"total".padStart(9)} ${"p50".padStart(7)} ${"p99".padStart(7)}`);
    for (const [name, q] of lists) {
      await timed(`/api/v1/voice-calls${q}`, tenant.token);
      const ms: number[] = [];
      let total = 0;
      for (let i = 0; i < REPS; i++) {
        const r = await timed(`/api/v1/voice-calls${q}`, tenant.token);
        ms.push(r.ms);
        total = r.body.total as number;
      }
      console.log(
        `${name.padEnd(58)} ${total.toLocaleString("en").padStart(9)} ${pct(ms, 50).toFixed(1).padStart(7)} ${pct(ms, 99).toFixed(1).padStart(7)}`,
      );
    }
    const analytics: [string, string][] = [
      ["overview, all time", "/overview"],
      ["overview, one month", `/overview?start_date=${month}-01&end_date=${month}-28`],
      ["detailed, all time", "/detailed"],
      ["timeline, day buckets, all time", "/timeline"],
      ["timeline, hour buckets, one month", `/timeline?bucket=hour&start_date=${month}-01&end_date=${month}-28`],
    ];
    console.log("\nGET /api/voice/analytics (ms; median of 3 after one warm-up)");
    for (const [name, q] of analytics) {
      await timed(`/api/voice/analytics${q}`, tenant.token);
      const ms: number[] = [];
      let summary = "";
      for (let i = 0; i < 3; i++) {
        const r = await timed(`/api/voice/analytics${q}`, tenant.token);
        ms.push(r.ms);
        const m = r.body.metrics as { total_calls?: number } | undefined;
        summary = m ? `total_calls=${m.total_calls}` : `${(r.body.timeline as unknown[]).length} buckets`;
      }
      console.log(`${name.padEnd(40)} ${pct(ms, 50).toFixed(1).padStart(8)}   (${summary})`);
    }
    log("done");
  } finally {
    if (worker) await stopWorker(worker);
    if (!process.argv.includes("--keep")) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
