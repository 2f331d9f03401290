/** Child processes of the bridge bench: the echo fake, the Node relay, `wrangler dev`, and each load run. */
import { execSync, spawn, fork, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LoadConfig } from "./load";
import type { RunResult } from "./stats";

export const ROOT = new URL("../../", import.meta.url).pathname;
const children: ChildProcess[] = [];

/** Kills what this bench started, by pid (wrangler's whole group: it runs workerd underneath). */
export function stopAll(): void {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.pid === undefined) continue;
    try {
      process.kill(-c.pid, "SIGTERM");
    } catch {
      c.kill("SIGTERM");
    }
  }
}

/** Starts a tsx script in its own process and resolves once it prints a line matching `ready`. */
export function startScript(file: string, args: string[], ready: RegExp, logFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, file), ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const log = createWriteStream(logFile);
  child.stderr?.pipe(log, { end: false }); // stdout writes to the same log: neither stream may end it
  return new Promise((resolve, reject) => {
    let out = "";
    const t = setTimeout(() => reject(new Error(`${file} not ready in 30 s: ${out}`)), 30_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      log.write(d);
      if (ready.test(out)) {
        clearTimeout(t);
        child.off("exit", early);
        resolve(child);
      }
    });
    const early = (code: number | null) => {
      clearTimeout(t);
      reject(
        new Error(`${file} exited (${code}) before it was ready: ${out}${readFileSync(logFile, "utf8").slice(-2000)}`),
      );
    };
    child.once("exit", early);
  });
}

const wrangler = (args: string[], logFile: string, wait: boolean) => {
  const child = spawn(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
  });
  const log = createWriteStream(logFile, { flags: "a" });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false }); // stdout writes to the same log: neither stream may end it
  if (!wait) children.push(child);
  return child;
};

export async function applyMigrations(persistTo: string, logFile: string): Promise<void> {
  const child = wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], logFile, true);
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  if (code !== 0)
    throw new Error(`wrangler d1 migrations apply failed (${code}):\n${readFileSync(logFile, "utf8").slice(-3000)}`);
}

export async function startWranglerDev(o: {
  port: number;
  inspectorPort: number;
  persistTo: string;
  vars: Record<string, string>;
  logFile: string;
  config?: string;
}): Promise<{ base: string; pgid: number }> {
  const base = `http://127.0.0.1:${o.port}`;
  // The health check below cannot tell our Worker from another server on the port (a stale wrangler dev, or a
  // second target given the same port), which would then be measured in its place.
  const taken = await fetch(`${base}/health`).then(
    () => true,
    () => false,
  );
  if (taken) throw new Error(`port ${o.port} is already in use: stop whatever listens there and run the bench again`);
  const vars = Object.entries(o.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const config = o.config ? ["--config", join(ROOT, o.config)] : [];
  const child = wrangler(
    [
      "dev",
      ...config,
      "--ip",
      "127.0.0.1",
      "--port",
      String(o.port),
      "--inspector-port",
      String(o.inspectorPort),
      "--persist-to",
      o.persistTo,
      "--show-interactive-dev-session=false",
      ...vars,
    ],
    o.logFile,
    false,
  );
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { base, pgid: child.pid! };
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`wrangler dev did not answer ${base}/health:\n${readFileSync(o.logFile, "utf8").slice(-3000)}`);
}

/**
 * The origin of the workerd that runs the Worker itself, behind wrangler's dev proxy: for the `direct`
 * diagnostic target (same Worker, same process, without the proxy hop that production does not have).
 * Found as the listening port of the group's workerd with an inspector address that answers `/health`.
 */
export async function findWorkerEntry(pgid: number): Promise<string> {
  const ps = execSync("ps -eo pid=,pgid=,args=", { encoding: "utf8" }).split("\n");
  const pid = ps
    .map((l) => l.trim().split(/\s+/))
    .find(
      (f) =>
        Number(f[1]) === pgid &&
        f.slice(2).join(" ").includes("workerd serve") &&
        f.join(" ").includes("--inspector-addr"),
    )?.[0];
  if (!pid) throw new Error("no workerd with an inspector address in wrangler's process group");
  const ports = execSync("ss -ltnpH", { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.includes(`pid=${pid},`))
    .map((l) => l.match(/127\.0\.0\.1:(\d+)/)?.[1])
    .filter(Boolean);
  for (const port of ports) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return `http://127.0.0.1:${port}`;
  }
  throw new Error(`none of the Worker's workerd ports (${ports.join(", ")}) answers /health`);
}

/** One load run in a fresh process, so no run inherits another's heap or sockets. */
export function runLoad(cfg: LoadConfig, onPhase: (phase: "measuring" | "drained") => void): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // Setup (webhooks, upgrades: 15-30 s timeouts each), probe (20 s), pacing, drain, stop: a hung run is killed.
    const limitMs = (cfg.seconds + 150) * 1000;
    const watchdog = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`load run still going after ${limitMs / 1000} s: killed`));
    }, limitMs);
    const child = fork(join(ROOT, "bench/bridge/load.ts"), [JSON.stringify(cfg)], {
      cwd: ROOT,
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    children.push(child);
    let settled = false;
    child.on("message", (m: { phase?: "measuring" | "drained"; ok?: boolean; result?: RunResult; error?: string }) => {
      if (m.phase) return onPhase(m.phase);
      settled = true;
      // IPC is JSON: an empty run's NaN percentiles arrive as null.
      if (m.ok && m.result)
        resolve(Object.fromEntries(Object.entries(m.result).map(([k, v]) => [k, v ?? NaN])) as unknown as RunResult);
      else reject(new Error(m.error ?? "load run failed"));
    });
    child.once("exit", (code) => {
      clearTimeout(watchdog);
      if (!settled) reject(new Error(`load run exited (${code}) without a result`));
    });
  });
}
