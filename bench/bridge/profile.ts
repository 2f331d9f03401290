/**
 * `--profile=FILE`: a V8 CPU profile of the Worker's workerd while the calls are paced, taken through the
 * inspector port `wrangler dev` exposes (Chrome DevTools protocol: Profiler.start / Profiler.stop). The file
 * opens in Chrome DevTools (Performance → Load profile); the bench also prints the top functions by self time.
 * `--alloc` uses the same port for V8's sampling heap profiler: bytes allocated per round trip, and where.
 */
import { writeFileSync } from "node:fs";
import WebSocket from "ws";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export class InspectorProfiler {
  private nextId = 1;
  private waiting = new Map<number, (r: unknown) => void>();
  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (d) => {
      const m = JSON.parse(d.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (m.id !== undefined) this.waiting.get(m.id)?.(m.error ? new Error(m.error.message) : m.result);
    });
  }

  static async connect(inspectorPort: number): Promise<InspectorProfiler> {
    const list = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
      webSocketDebuggerUrl: string;
    }[];
    const ws = new WebSocket(list[0]!.webSocketDebuggerUrl, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const p = new InspectorProfiler(ws);
    await p.call("Profiler.enable");
    await p.call("Profiler.setSamplingInterval", { interval: 200 });
    return p;
  }

  call(method: string, params: object = {}): Promise<unknown> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`inspector: ${method} timed out`)), 60_000);
      this.waiting.set(id, (r) => {
        clearTimeout(t);
        this.waiting.delete(id);
        if (r instanceof Error) reject(r);
        else resolve(r);
      });
    });
  }

  start(): Promise<unknown> {
    return this.call("Profiler.start");
  }

  /** Stops, writes the .cpuprofile and returns the top functions by self time. */
  async stop(file: string, top = 15): Promise<string> {
    const { profile } = (await this.call("Profiler.stop")) as { profile: Profile };
    writeFileSync(file, JSON.stringify(profile));
    return summarize(profile, top);
  }

  /** Starts V8's sampling heap profiler, counting objects the GC has already collected too (what was allocated). */
  startAllocations(): Promise<unknown> {
    return this.call("HeapProfiler.startSampling", {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }

  /** Stops it and returns what was allocated since `startAllocations`: total bytes and the top sites by bytes. */
  async stopAllocations(top = 12): Promise<Allocations> {
    const { profile } = (await this.call("HeapProfiler.stopSampling")) as { profile: { head: HeapNode } };
    const bySite = new Map<string, number>();
    let bytes = 0;
    const walk = (n: HeapNode) => {
      const key = `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").pop() ?? ""}:${n.callFrame.lineNumber + 1}`;
      bySite.set(key, (bySite.get(key) ?? 0) + n.selfSize);
      bytes += n.selfSize;
      for (const c of n.children) walk(c);
    };
    walk(profile.head);
    return { bytes, sites: [...bySite.entries()].sort((a, b) => b[1] - a[1]).slice(0, top) };
  }

  close(): void {
    this.ws.close();
  }
}

/** Bytes allocated, in all and by site (function, file and line), the largest sites first. */
export interface Allocations {
  bytes: number;
  sites: [string, number][];
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

function summarize(p: Profile, top: number): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const f = byId.get(id)!.callFrame;
    const url = f.url.split("/").pop() ?? "";
    const key = `${f.functionName || "(anonymous)"}${url ? ` ${url}:${f.lineNumber + 1}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  const idle = self.get("(idle)") ?? 0;
  const busy = total - idle;
  const rows = [...self.entries()]
    .filter(([k]) => k !== "(idle)")
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  return [
    `  profiled ${(total / 1e6).toFixed(1)} s: busy ${((busy / total) * 100).toFixed(0)}% of the Worker's JS thread; top self time (% of busy):`,
    ...rows.map(([k, v]) => `    ${((v / busy) * 100).toFixed(1).padStart(5)}%  ${k}`),
  ].join("\n");
}
