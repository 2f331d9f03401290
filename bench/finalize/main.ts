/**
 * bench/finalize: a 60-minute two-party call, finalized through the real Worker under `wrangler dev`.
 *
 * It synthesizes 20 ms μ-law chunks (180,000 per side, both sides continuous like a media stream, speech
 * alternating every 5 s with a 1 s overlap, silence as 0xFF), appends them through POST /api/AudioChunks/upload
 * in batches, then calls /uploadAndFinalize with one already-stored chunk so the request is finalize alone.
 *
 * Figures: client wall time of that request, the Worker's own Server-Timing for finalize, × real time, and
 * memory. The Durable Object's isolate cannot report its heap, so memory is measured from outside: the
 * resident set of the workerd process (every isolate, SQLite and R2's local files included). Its peak is reset
 * (/proc/<pid>/clear_refs = 5) just before finalize, so VmHWM afterwards is the peak during finalize; the
 * growth over the RSS just before is an upper bound on what finalize needed. The WAV is then downloaded and
 * checked (size, header, samples at spread-out positions).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mintRepToken } from "../../scripts/dev-env.mjs";

const PORT = 8792;
const BASE = `http://127.0.0.1:${PORT}`;
const MINUTES = Number(process.env.BENCH_MINUTES ?? 60);
const CHUNKS = (MINUTES * 60 * 1000) / 20;
const BATCH = 5000;
const SECRETS = {
  ADMIN_TOKEN: "bench-admin",
  JWT_SECRET: "bench-jwt-secret-0123456789abcdef0123456789",
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
};
const root = new URL("../..", import.meta.url).pathname;
const wrangler = join(root, "node_modules/.bin/wrangler");

// ── the synthetic call ──
const speaking = (side: number, ms: number) => {
  const slot = Math.floor(ms / 5000);
  const inSlot = ms % 5000;
  return slot % 2 === side || inSlot < 1000; // each side 5 s in turn, both in the first second of each slot
};
function byteAt(side: number, k: number, i: number): number {
  if (!speaking(side, k * 20)) return 0xff;
  let h = Math.imul(side * 0x9e3779b1 + k * 160 + i, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0xff;
}
function chunkBytes(side: number, k: number): Buffer {
  const b = Buffer.allocUnsafe(160);
  for (let i = 0; i < 160; i++) b[i] = byteAt(side, k, i);
  return b;
}
const ULAW = Int16Array.from({ length: 256 }, (_, b) => {
  const u = ~b & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? 0x84 - t : t - 0x84;
});

// ── process and memory helpers ──
function descendants(pid: number): { pid: number; comm: string }[] {
  const procs = readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, "utf8");
        const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        return [{ pid: Number(d), ppid, comm }];
      } catch {
        return [];
      }
    });
  const out: { pid: number; comm: string }[] = [];
  const walk = (p: number) => procs.filter((x) => x.ppid === p).forEach((x) => (out.push(x), walk(x.pid)));
  walk(pid);
  return out;
}
const statusKb = (pid: number, field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);
const mb = (kb: number) => (kb / 1024).toFixed(1);

async function main() {
  // Local R2 and SQLite live under --persist-to: a RAM-backed temp dir (when there is one) keeps the host's
  // disk out of a figure that, deployed, is R2's network upload rather than a local file write.
  const base = process.env.BENCH_TMP ?? (existsSync("/dev/shm") ? "/dev/shm" : tmpdir());
  const dir = mkdtempSync(join(base, "voicedesk-bench-finalize-"));
  let dev: ChildProcess | null = null;
  let devErr = "";
  const stop = () => {
    if (dev?.pid) {
      try {
        process.kill(-dev.pid, "SIGTERM");
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("SIGINT", () => (stop(), process.exit(130)));
  try {
    const mig = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", dir], {
      cwd: root,
      env: { ...process.env, CI: "1" },
      encoding: "utf8",
    });
    if (mig.status !== 0) throw new Error(`migrations failed: ${mig.stderr || mig.stdout}`);
    const vars = Object.entries({ ...SECRETS, OPENAI_BASE_URL: "http://127.0.0.1:9/v1" }).flatMap(([k, v]) => [
      "--var",
      `${k}:${v}`,
    ]);
    dev = spawn(
      wrangler,
      [
        "dev",
        "--port",
        String(PORT),
        "--ip",
        "127.0.0.1",
        "--inspector-port",
        "9792",
        "--persist-to",
        dir,
        "--show-interactive-dev-session=false",
        "--log-level",
        process.env.BENCH_LOG ?? "warn",
        ...vars,
      ],
      {
        cwd: root,
        env: { ...process.env, CI: "1" },
        detached: true,
        stdio: ["ignore", process.env.BENCH_LOG ? "inherit" : "ignore", "pipe"],
      },
    );
    dev.stderr?.on("data", (d: Buffer) => (devErr += d.toString()).length > 20_000 && (devErr = devErr.slice(-10_000)));
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${BASE}/health`)).ok) break;
      } catch {}
      if (i > 600) throw new Error(`wrangler dev did not start:\n${devErr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // wrangler dev runs two workerd processes: a proxy on our port and the one running the Worker and its
    // Durable Objects (on an ephemeral port). Both are measured; the Worker's is the one that moves.
    const workerds = descendants(dev.pid!).filter((p) => p.comm === "workerd");
    if (!workerds.length) throw new Error("no workerd process under wrangler dev");

    // tenant, rep, token, ticket
    const adminPost = async (path: string, body: unknown) => {
      const r = await fetch(`${BASE}/api/admin${path}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${SECRETS.ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (r.status !== 201) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as { id: number };
    };
    const hex = (n: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString("hex");
    const customer = await adminPost("/customers", {
      name: "Bench",
      twilio: {
        accountSid: `AC${hex(16)}`,
        authToken: hex(16),
        apiKeySid: `SK${hex(16)}`,
        apiKeySecret: hex(12),
        twimlAppSid: `AP${hex(16)}`,
      },
    });
    const rep = await adminPost(`/customers/${customer.id}/reps`, { name: "Bench Rep" });
    const token = await mintRepToken(SECRETS, rep.id, "tickets:write audio:upload audio:download", "2h");
    const auth = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const tr = await fetch(`${BASE}/api/tickets`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ channel: "web", subject: "bench" }),
    });
    const ticketId = ((await tr.json()) as { id: number }).id;

    // append
    console.log(`appending ${MINUTES} min: ${CHUNKS} chunks per side in batches of ${BATCH}…`);
    const item = (side: number, k: number) =>
      `{"ticketID":${ticketId},"senderType":"${side === 0 ? "EndUser" : "AI"}","timestampMs":${k * 20},"base64AudioData":"${chunkBytes(side, k).toString("base64")}"}`;
    const a0 = performance.now();
    for (let k0 = 0; k0 < CHUNKS; k0 += BATCH / 2) {
      const items: string[] = [];
      for (let k = k0; k < Math.min(CHUNKS, k0 + BATCH / 2); k++) items.push(item(0, k), item(1, k));
      const r = await fetch(`${BASE}/api/AudioChunks/upload`, {
        method: "POST",
        headers: auth,
        body: `[${items.join(",")}]`,
      });
      if (r.status !== 200) throw new Error(`upload: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    }
    const appendSeconds = (performance.now() - a0) / 1000;

    // finalize
    const rssBefore = workerds.map((p) => statusKb(p.pid, "VmRSS"));
    let resetPeak = true;
    for (const p of workerds) {
      try {
        writeFileSync(`/proc/${p.pid}/clear_refs`, "5");
      } catch {
        resetPeak = false;
      }
    }
    const sampledPeak = [...rssBefore];
    const sampler = setInterval(
      () => workerds.forEach((p, i) => (sampledPeak[i] = Math.max(sampledPeak[i]!, statusKb(p.pid, "VmRSS")))),
      5,
    );
    const f0 = performance.now();
    const fr = await fetch(`${BASE}/api/AudioChunks/uploadAndFinalize`, {
      method: "POST",
      headers: auth,
      body: `[${item(0, 0)}]`,
    });
    const body = await fr.text();
    const wall = (performance.now() - f0) / 1000;
    clearInterval(sampler);
    const hwm = workerds.map((p) => statusKb(p.pid, "VmHWM"));
    if (fr.status !== 201) throw new Error(`uploadAndFinalize: ${fr.status} ${body}`);
    const rec = JSON.parse(body) as { durationMs: number; sizeBytes: number; chunks: { totalChunks: number } };
    const partsAhead = /parts;desc="([^"]*)"/.exec(fr.headers.get("Server-Timing") ?? "")?.[1] ?? "?";
    const timing = Object.fromEntries(
      (fr.headers.get("Server-Timing") ?? "")
        .split(",")
        .map((s) => /(\w+);dur=(\d+)/.exec(s))
        .filter((m) => m)
        .map((m) => [m![1], Number(m![2])]),
    );

    // verify the WAV: size, header, samples spread over the hour
    const frames = CHUNKS * 160;
    const dl = await fetch(`${BASE}/api/tickets/${ticketId}/recording`, { headers: auth });
    let got = 0;
    const probes = Array.from({ length: 64 }, (_, i) => Math.floor(((i + 0.5) / 64) * frames));
    let mismatches = 0;
    let head = Buffer.alloc(0);
    const reader = dl.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (head.length < 44) head = Buffer.concat([head, Buffer.from(value.subarray(0, 44 - head.length))]);
      for (const f of probes) {
        const off = 44 + f * 4;
        if (off >= got && off + 4 <= got + value.length) {
          const dv = new DataView(value.buffer, value.byteOffset + off - got, 4);
          const k = Math.floor(f / 160);
          const i = f % 160;
          if (dv.getInt16(0, true) !== ULAW[byteAt(0, k, i)] || dv.getInt16(2, true) !== ULAW[byteAt(1, k, i)])
            mismatches++;
        }
      }
      got += value.length;
    }
    const okHeader =
      head.toString("ascii", 0, 4) === "RIFF" && head.readUInt16LE(22) === 2 && head.readUInt32LE(40) === frames * 4;

    const audioSeconds = MINUTES * 60;
    console.log(`
finalize of a ${MINUTES}-minute two-party call (${CHUNKS} chunks per side, 20 ms each)
  append through the Worker:   ${appendSeconds.toFixed(1)} s (${Math.round((2 * CHUNKS) / appendSeconds)} chunks/s, ${Math.ceil((2 * CHUNKS) / BATCH)} requests)
  finalize request wall time:  ${wall.toFixed(2)} s  (${(audioSeconds / wall).toFixed(0)}× real time)   bar: < 2 s
  Server-Timing finalize:      ${timing.finalize ?? "?"} ms (append ${timing.append ?? "?"} ms, transcription ${timing.transcription ?? "?"} ms: skipped, no key)
    of which blocked on R2:    ${timing.r2wait ?? "?"} ms; reading + mixing + D1: ${timing.finalize !== undefined && timing.r2wait !== undefined ? timing.finalize - timing.r2wait : "?"} ms
  R2 parts (8 MiB):            ${partsAhead} by the recording draft while the audio arrived
  recording:                   ${rec.durationMs} ms, ${rec.sizeBytes} bytes (${(rec.sizeBytes / 1e6).toFixed(1)} MB stereo 16-bit WAV)
  verified download:           ${got} bytes, header ${okHeader ? "ok" : "WRONG"}, ${probes.length - mismatches}/${probes.length} probed frames equal the input
${workerds.map((p, i) => `  workerd ${p.pid}: RSS before finalize ${mb(rssBefore[i]!)} MB, peak during ${resetPeak ? mb(hwm[i]!) : mb(sampledPeak[i]!)} MB (${resetPeak ? "VmHWM after reset" : "sampled"}; 5 ms samples ${mb(sampledPeak[i]!)} MB), growth ${mb((resetPeak ? hwm[i]! : sampledPeak[i]!) - rssBefore[i]!)} MB`).join("\n")}
  (a whole workerd process, all its isolates + SQLite + local R2 included, bounds the object's isolate from above: limit 128 MB)
  (machine shared with other work while measured; figures are indicative)`);
    if (got !== rec.sizeBytes || !okHeader || mismatches) throw new Error("the recording did not verify");
  } catch (e) {
    const cause = e instanceof Error && e.cause ? ` (${String(e.cause)})` : "";
    throw new Error(
      `${e instanceof Error ? e.message : String(e)}${cause}\nwrangler dev stderr (tail):\n${devErr.slice(-3000)}`,
    );
  } finally {
    stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
