/**
 * bench/recording: the price of recording a frame in a call's Durable Object (price.workerd.ts), of the ways to
 * decode a frame's payload (decode.workerd.ts) and of reading a round trip's incoming frames against the bare
 * Worker's way (parse.workerd.ts), measured inside workerd by vitest with the test suite's Worker. Prints
 * per-frame figures and the price of a batch's commit.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const r = spawnSync(
  join(root, "node_modules/.bin/vitest"),
  ["run", "--config", "bench/recording/vitest.config.mts", "--silent=false"],
  { cwd: root, stdio: "inherit" },
);
process.exit(r.status ?? 1);
