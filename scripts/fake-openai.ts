/**
 * `npm run fake-openai`: a local OpenAI Realtime stand-in on http://127.0.0.1:9100/v1 (no internet needed).
 * Point the Worker at it with `npm start -- --var OPENAI_BASE_URL:http://127.0.0.1:9100/v1`.
 *
 *   --port 9100        listen port
 *   --host 127.0.0.1   listen address
 *   --echo             echo every appended frame back as an output delta (the bridge benchmark's far end)
 *   --every N          also answer after every N appended frames (50 = 1 s), not only after detected speech
 *   --quiet            no per-event log
 */
import { parseArgs } from "node:util";
import { startFakeRealtime } from "./lib/fake-realtime";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "9100" },
    host: { type: "string", default: "127.0.0.1" },
    echo: { type: "boolean", default: false },
    every: { type: "string", default: "0" },
    quiet: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log("usage: npm run fake-openai -- [--port 9100] [--host 127.0.0.1] [--echo] [--every N] [--quiet]");
  process.exit(0);
}

const stamp = () => new Date().toISOString().slice(11, 23);
const fake = await startFakeRealtime({
  port: Number(values.port),
  host: values.host,
  mode: values.echo ? "echo" : "assistant",
  everyFrames: Number(values.every),
  log: values.quiet ? undefined : (line) => console.log(`${stamp()} ${line}`),
}).catch((e: unknown) => {
  console.error(
    `fake-openai: cannot listen on ${values.host}:${values.port}: ${e instanceof Error ? e.message : String(e)}`,
  );
  process.exit(1);
});
// The "listening" line is the readiness signal the bridge benchmark waits for: keep its shape.
console.log(`fake-openai listening on ${fake.url}/v1 (${values.echo ? "echo" : "assistant"} mode)`);
const shutdown = () => void fake.close().then(() => process.exit(0));
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
