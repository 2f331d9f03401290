/**
 * Twilio webhooks under `wrangler dev` (port 8791, local D1/R2, fake Twilio in-process):
 *  - latency of the signed voice webhook (TwiML + call record + ticket), sequential and 20 concurrent;
 *  - a dual-channel recording (8 kHz 16-bit stereo, 1.92 MB a minute; `--minutes=N`, default 10) through the
 *    recording callback (answered 202 at once) and the post-call queue's copy, timed until the recording reads
 *    back from its ticket, once with Content-Length (one FixedLengthStream put) and once chunked (R2 multipart),
 *    with the peak RSS growth of the workerd process (which also runs miniflare's local R2, see docs/twilio.md);
 *  - the idempotent retry of the same callback, once the recording is stored.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import twilio from "twilio";
import { startTwilioFake } from "../../test/fakes/twilio";
import { mintRepToken } from "../../scripts/dev-env.mjs";

const PORT = 8791;
const BASE = `http://127.0.0.1:${PORT}`;
const hex = (n: number) => randomBytes(n).toString("hex");
const secrets = { JWT_SECRET: hex(32), ADMIN_TOKEN: hex(16), ENCRYPTION_KEY: randomBytes(32).toString("base64") };

function pcmWav(seconds: number): Buffer {
  const frames = seconds * 8000;
  const data = frames * 4;
  const b = Buffer.alloc(44 + data);
  b.write("RIFF", 0);
  b.writeUInt32LE(36 + data, 4);
  b.write("WAVEfmt ", 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(2, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(32000, 28);
  b.writeUInt16LE(4, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36);
  b.writeUInt32LE(data, 40);
  for (let o = 44, i = 0; o < b.length; o += 2, i++) b.writeInt16LE(((i * 37) % 20000) - 10000, o);
  return b;
}

/** RSS (KiB) of the workerd processes under our wrangler process. */
function workerdRssKiB(root: number): number {
  const children = new Map<number, number[]>();
  for (const d of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${d}/status`, "utf8"))![1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {}
  }
  let total = 0;
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      try {
        const st = readFileSync(`/proc/${c}/status`, "utf8");
        if (/^Name:\s+workerd/m.test(st)) total += Number(/VmRSS:\s+(\d+)/.exec(st)?.[1] ?? 0);
      } catch {}
      walk(c);
    }
  };
  walk(root);
  return total;
}

async function waitHealthy() {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${BASE}/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("wrangler dev did not come up");
}

async function main() {
  const persist = mkdtempSync(join(tmpdir(), "voicedesk-bench-twilio-"));
  const fake = await startTwilioFake();
  let dev: ChildProcess | null = null;
  try {
    const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };
    const mig = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], {
      env,
      stdio: "ignore",
    });
    if (mig.status !== 0) throw new Error("migrations failed");
    mkdirSync("bench/out", { recursive: true });
    const log = openSync("bench/out/twilio-wrangler.log", "w"); // wrangler dev's output, for when something goes wrong
    const vars = { ...secrets, TWILIO_API_BASE_URL: fake.url, PUBLIC_BASE_URL: BASE };
    dev = spawn(
      "npx",
      [
        "wrangler",
        "dev",
        "--port",
        String(PORT),
        "--ip",
        "127.0.0.1",
        "--persist-to",
        persist,
        ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
      ],
      { env, stdio: ["ignore", log, log], detached: true },
    );
    await waitHealthy();

    const admin = async (path: string, body: unknown) => {
      const r = await fetch(`${BASE}/api/admin${path}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as { id: number; identity: string };
    };
    const t = {
      accountSid: `AC${hex(16)}`,
      authToken: hex(16),
      apiKeySid: `SK${hex(16)}`,
      apiKeySecret: hex(16),
      twimlAppSid: `AP${hex(16)}`,
    };
    const customer = await admin("/customers", { name: "bench", twilio: { ...t, region: "ie1", edge: "dublin" } });
    const repNumber = "+3225550100";
    const rep = await admin(`/customers/${customer.id}/reps`, { name: "Bench Rep", phoneNumbers: [repNumber] });
    await fetch(`${fake.url}/__fake/accounts`, {
      method: "POST",
      body: JSON.stringify({ accountSid: t.accountSid, apiKeySid: t.apiKeySid, apiKeySecret: t.apiKeySecret }),
    });

    const post = (path: string, params: Record<string, string>) =>
      fetch(BASE + path, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-Twilio-Signature": twilio.getExpectedTwilioSignature(t.authToken, BASE + path, params),
        },
        body: new URLSearchParams(params),
      });
    const voice = () =>
      post("/api/TwilioCalls/voice", {
        AccountSid: t.accountSid,
        CallSid: `CA${hex(16)}`,
        From: `client:${rep.identity}`,
        FromNumber: repNumber,
        To: `+32470${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`,
        RepID: String(rep.id),
        Record: "true",
      });
    const timed = async () => {
      const s = performance.now();
      const r = await voice();
      const text = await r.text();
      if (r.status !== 200) throw new Error(`voice webhook ${r.status}: ${text.slice(0, 300)}`);
      return performance.now() - s;
    };
    const pct = (xs: number[], p: number) =>
      [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
    const skipVoice = process.argv.includes("--recording-only");
    if (!skipVoice) {
      for (let i = 0; i < 10; i++) await timed();
      const seq: number[] = [];
      for (let i = 0; i < 200; i++) seq.push(await timed());
      const conc: number[] = [];
      const s0 = performance.now();
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          for (let i = 0; i < 10; i++) conc.push(await timed());
        }),
      );
      const concWall = performance.now() - s0;
      console.log(
        `voice webhook, 200 sequential: p50 ${pct(seq, 50).toFixed(1)} ms, p95 ${pct(seq, 95).toFixed(1)} ms, max ${pct(seq, 100).toFixed(1)} ms`,
      );
      console.log(
        `voice webhook, 20 concurrent x 10: p50 ${pct(conc, 50).toFixed(1)} ms, p95 ${pct(conc, 95).toFixed(1)} ms, ${(200 / (concWall / 1000)).toFixed(0)} req/s`,
      );
    }

    // The callback answers 202 at once and the copy runs on the post-call queue (docs/data-lifecycle.md): timed
    // here from the POST until the recording can be read back from the end user's phone ticket.
    const token = await mintRepToken({ JWT_SECRET: secrets.JWT_SECRET }, rep.id);
    const rest = (path: string, headers: Record<string, string> = {}) =>
      fetch(BASE + path, { headers: { Authorization: `Bearer ${token}`, ...headers } });
    const storedOn = async (endUser: string): Promise<boolean> => {
      const list = await rest(`/api/tickets?channel=phone&phoneNumber=${encodeURIComponent(endUser)}`);
      const items = ((await list.json()) as { items?: { id: number }[] }).items ?? [];
      if (!items[0]) return false;
      const r = await rest(`/api/tickets/${items[0].id}/recording`, { Range: "bytes=0-0" });
      await r.body?.cancel();
      return r.status === 206;
    };
    const minutes = Number(process.argv.find((a) => a.startsWith("--minutes="))?.slice(10) ?? 10);
    const wav = pcmWav(minutes * 60);
    for (const chunked of [false, true]) {
      const recordingSid = `RE${hex(16)}`;
      const endUser = `+32470${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
      const q = new URLSearchParams({ accountSid: t.accountSid, ...(chunked ? { chunked: "1" } : {}) });
      await fetch(`${fake.url}/__fake/recordings/${recordingSid}?${q}`, {
        method: "PUT",
        headers: { "Content-Type": "audio/x-wav" },
        body: new Uint8Array(wav),
      });
      const path = `/api/TwilioCalls/${rep.id}/recordingcallback?customFrom=${encodeURIComponent(repNumber)}&customTo=${encodeURIComponent(endUser)}`;
      const params = {
        AccountSid: t.accountSid,
        CallSid: `CA${hex(16)}`,
        RecordingSid: recordingSid,
        RecordingStatus: "completed",
        RecordingDuration: String(minutes * 60),
      };
      const baseline = workerdRssKiB(dev.pid!);
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, workerdRssKiB(dev!.pid!));
      }, 50);
      const s = performance.now();
      const r = await post(path, params);
      const body = await r.text();
      const ackMs = performance.now() - s;
      if (r.status !== 202 || !body.includes('"queued":true'))
        throw new Error(`recording callback ${r.status} ${body}`);
      const deadline = s + 120_000;
      while (!(await storedOn(endUser))) {
        if (performance.now() > deadline) throw new Error(`recording ${recordingSid} not stored within 120 s`);
        await new Promise((res) => setTimeout(res, 25));
      }
      const ms = performance.now() - s;
      clearInterval(sampler);
      const rs = performance.now();
      const again = await post(path, params);
      const retryMs = performance.now() - rs;
      if (!(await again.text()).includes('"duplicate":true')) throw new Error("retry was not a duplicate");
      console.log(
        `recording ${minutes} min dual (${(wav.length / 1e6).toFixed(1)} MB, ${chunked ? "chunked → R2 multipart" : "Content-Length → FixedLengthStream put"}): ` +
          `callback answered in ${ackMs.toFixed(0)} ms; stored ${ms.toFixed(0)} ms after the POST (${(wav.length / 1e6 / (ms / 1000)).toFixed(0)} MB/s, queue wait included), ` +
          `workerd RSS +${((peak - baseline) / 1024).toFixed(1)} MiB peak; retry ${retryMs.toFixed(1)} ms`,
      );
    }
  } finally {
    if (dev?.pid) {
      try {
        process.kill(-dev.pid, "SIGTERM");
      } catch {}
    }
    await fake.close();
    rmSync(persist, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
