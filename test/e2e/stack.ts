/**
 * What the console's browser tests run against: `npm start` itself (scripts/start.mjs: the console built, migrations,
 * `wrangler dev` on port 8791 with a fresh local state, the demo tenant seeded), with OpenAI and Twilio replaced by
 * the loopback fakes the Worker tests use, plus a real WebRTC peer for `/v1/realtime/calls` (scripts/lib/fake-webrtc.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { answerRealtimeCall, closePeers } from "../../scripts/lib/fake-webrtc";
import { listen, readBody, sendJson, type RunningFake } from "../fakes/http";
import { handleRealtimeUpgrade } from "../fakes/openai/realtime";
import { handleRest } from "../fakes/openai/rest";
import { startTwilioFake } from "../fakes/twilio";

export const ROOT = new URL("../..", import.meta.url).pathname;
/** The console tests' own port (never 8787, the default of `npm start`). */
export const PORT = 8791;

export interface Demo {
  baseUrl: string;
  adminToken: string;
  customerId: number;
  accountSid: string;
  authToken: string;
  apiKeySid: string;
  apiKeySecret: string;
  repId: number;
  repToken: string;
  assistantNumber: string;
  repNumber: string;
}

export interface Stack {
  base: string;
  demo: Demo;
  demoFile: string;
  /** What `npm start` printed, line by line. */
  output: string[];
  consoleUrl: string;
  openai: RunningFake;
  twilio: RunningFake;
  close(): Promise<void>;
}

/** OpenAI on loopback: the Worker tests' fakes (REST, realtime WebSocket) and the WebRTC peer, on one origin. */
async function startOpenAI(): Promise<RunningFake> {
  const fake = await listen(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "POST" && url.pathname === "/v1/realtime/calls") return answerRealtimeCall(req, res);
    if (await handleRest(req, res, url, () => readBody(req))) return;
    sendJson(res, 404, {
      error: { message: `Unknown request URL: ${req.method} ${url.pathname}`, code: "unknown_url" },
    });
  });
  fake.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    handleRealtimeUpgrade(req, socket, head),
  );
  return fake;
}

function waitForConsoleLine(child: ChildProcess, output: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const onLine = (line: string) => {
      output.push(line);
      const m = /Console: (http\S+)/.exec(line);
      if (m) resolve(m[1]!);
      if (/seeding the demo tenant failed/.test(line)) reject(new Error(`npm start: ${line}`));
    };
    let pending = "";
    const feed = (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      lines.forEach(onLine);
    };
    child.stdout?.on("data", feed);
    child.stderr?.on("data", feed);
    child.once("exit", (code) =>
      reject(new Error(`npm start exited (${code}) before printing the console URL:\n${output.slice(-30).join("\n")}`)),
    );
  });
}

/** True when something already listens on the port (another `npm start` or e2e run would get our requests). */
function portBusy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

export async function startStack(): Promise<Stack> {
  if (await portBusy(PORT)) throw new Error(`port ${PORT} is in use: stop what listens there (another e2e run?)`);
  const dir = mkdtempSync(join(tmpdir(), "voicedesk-e2e-"));
  const demoFile = join(dir, "demo.json");
  const [openai, twilio] = await Promise.all([startOpenAI(), startTwilioFake()]);
  const output: string[] = [];
  const child = spawn(
    process.execPath,
    [
      "scripts/start.mjs",
      "--port",
      String(PORT),
      "--ip",
      "127.0.0.1",
      "--inspector-port",
      "0",
      "--persist-to",
      join(dir, "state"),
      "--var",
      `OPENAI_BASE_URL:${openai.url}/v1`,
      "--var",
      `TWILIO_API_BASE_URL:${twilio.url}`,
    ],
    {
      cwd: ROOT,
      // Its own process group, so closing ends wrangler and workerd with it.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", VOICEDESK_DEMO_FILE: demoFile },
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const killed = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(r, 10_000, false))]);
      if (!killed && child.pid) process.kill(-child.pid, "SIGKILL");
    }
    closePeers();
    await Promise.all([openai.close(), twilio.close()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const consoleUrl = await waitForConsoleLine(child, output);
    const demo = JSON.parse(readFileSync(demoFile, "utf8")) as Demo;
    return { base: demo.baseUrl, demo, demoFile, output, consoleUrl, openai, twilio, close };
  } catch (e) {
    await close();
    throw e;
  }
}
