/**
 * CPU time of a process group from /proc (Linux): what a hop under test burned while the calls were paced.
 * Latency on a shared machine is noisy; CPU per relayed frame is not, so the bench reports both.
 */
import { execSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticksPerSecond = 100;
try {
  ticksPerSecond = Number(execSync("getconf CLK_TCK", { encoding: "utf8" }).trim()) || 100;
} catch {
  /* keep the usual 100 */
}

/** utime+stime (s) summed over live processes whose process group is `pgid`; null without /proc. */
export function groupCpuSeconds(pgid: number): number | null {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the ")" that closes the command name: state is 3rd; pgrp 5th; utime 14th; stime 15th.
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* the process just exited */
    }
  }
  return ticks / ticksPerSecond;
}
