/**
 * CPU time of a process group from /proc (Linux): what a hop under test burned while the calls were paced.
 * Latency on a shared machine is noisy; CPU per relayed frame is not, so the bench reports both. For
 * `wrangler dev` the group is split by role: the workerd running the Worker (the one with an inspector
 * address), the workerd in front of it (wrangler's dev proxy, which owns the public port), and the rest
 * (the wrangler CLI in Node, esbuild).
 */
import { execSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticksPerSecond = 100;
try {
  ticksPerSecond = Number(execSync("getconf CLK_TCK", { encoding: "utf8" }).trim()) || 100;
} catch {
  /* keep the usual 100 */
}

export type CpuRole = "worker" | "proxy" | "cli";
export type CpuSplit = Record<CpuRole, number> & { total: number };

function role(pid: string): CpuRole {
  let cmd = "";
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "cli";
  }
  if (!/\bworkerd serve\b/.test(cmd)) return "cli";
  return cmd.includes("--inspector-addr") ? "worker" : "proxy";
}

/** utime+stime (s) of live processes whose process group is `pgid`, split by role; null without /proc. */
export function groupCpu(pgid: number): CpuSplit | null {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  const out: CpuSplit = { worker: 0, proxy: 0, cli: 0, total: 0 };
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the ")" that closes the command name: state is 3rd; pgrp 5th; utime 14th; stime 15th.
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[2]) !== pgid) continue;
      const s = (Number(f[11]) + Number(f[12])) / ticksPerSecond;
      out[role(pid)] += s;
      out.total += s;
    } catch {
      /* the process just exited */
    }
  }
  return out;
}

/** `after - before`, role by role. */
export function cpuDelta(after: CpuSplit, before: CpuSplit): CpuSplit {
  return {
    worker: after.worker - before.worker,
    proxy: after.proxy - before.proxy,
    cli: after.cli - before.cli,
    total: after.total - before.total,
  };
}

/**
 * Waits until a process group is quiet (under a tenth of a core over half a second), at least `minMs` and at
 * most 30 s: the previous run's teardown (finalizing recordings) must not be timed as the next run's work.
 */
export async function settle(pgid: number, minMs: number): Promise<void> {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const start = Date.now();
  await sleep(minMs);
  let before = groupCpu(pgid)?.total;
  while (before !== undefined && Date.now() - start < 30_000) {
    await sleep(500);
    const now = groupCpu(pgid)?.total;
    if (now === undefined || now - before < 0.05) return;
    before = now;
  }
}
