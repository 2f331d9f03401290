/**
 * Reads the per-frame timelines `npm run bench -- bridge --timeline=DIR` writes and prints each run's stalls:
 * frames slower than --slow-ms, grouped into episodes when their send times are less than --gap-ms apart. On one
 * workerd thread a stall holds every call at once, so an episode that touches all calls is the Worker (or the
 * machine) pausing, and one touching a few is those calls' own bad luck. Frames of the first second are shown
 * too (the bench keeps them out of its percentiles, but a stall there can spill past it).
 *
 *   npx tsx bench/bridge/stalls.ts DIR [--slow-ms=15] [--gap-ms=50] [--show-ms=25]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  options: {
    "slow-ms": { type: "string", default: "15" },
    "gap-ms": { type: "string", default: "50" },
    "show-ms": { type: "string", default: "25" },
  },
  allowPositionals: true,
});
const slowMs = Number(values["slow-ms"]);
const gapMs = Number(values["gap-ms"]);
const showMs = Number(values["show-ms"]);
const dir = positionals[0];
if (!dir || ![slowMs, gapMs, showMs].every((n) => n > 0)) {
  console.error("usage: npx tsx bench/bridge/stalls.ts DIR [--slow-ms=15] [--gap-ms=50] [--show-ms=25]");
  process.exit(2);
}

interface Episode {
  from: number;
  to: number;
  frames: number;
  worst: number;
  calls: Set<number>;
}

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith(".csv"))
  .sort()) {
  const frames = readFileSync(join(dir, file), "utf8")
    .split("\n")
    .filter((l) => /^[\d.]+,/.test(l))
    .map((l) => l.split(",").map(Number) as [number, number, number])
    .sort((a, b) => a[0] - b[0]);
  const calls = new Set(frames.map((f) => f[1])).size;
  const episodes: Episode[] = [];
  for (const [sent, call, rtt] of frames) {
    if (rtt <= slowMs) continue;
    const e = episodes.at(-1);
    if (e && sent - e.to < gapMs) {
      e.to = sent;
      e.frames++;
      e.worst = Math.max(e.worst, rtt);
      e.calls.add(call);
    } else episodes.push({ from: sent, to: sent, frames: 1, worst: rtt, calls: new Set([call]) });
  }
  const slow = episodes.reduce((n, e) => n + e.frames, 0);
  console.log(
    `${file}: ${frames.length} frames, ${slow} over ${slowMs} ms in ${episodes.length} episodes (${calls} calls)`,
  );
  for (const e of episodes.filter((x) => x.worst > showMs))
    console.log(
      `  at ${(e.from / 1000).toFixed(2).padStart(6)} s for ${(e.to - e.from).toFixed(0).padStart(4)} ms: ` +
        `${String(e.frames).padStart(5)} frames of ${String(e.calls.size).padStart(3)} calls, worst ${e.worst.toFixed(1)} ms` +
        (e.from < 1000 ? "  (warm-up second)" : ""),
    );
}
