export interface RunResult {
  sent: number;
  received: number;
  /** Frames not back within the drain window: counted as lost, whether or not they came back later. */
  lost: number;
  /** Of the lost frames, those that came back after the drain window (within as long again). */
  late: number;
  /** Frames back within the drain window but later than the deadline after their send (also as good as lost). */
  tooLate: number;
  duplicates: number;
  unmatchedPayloads: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** How late the pacing loop sent frames (p99, ms): large values mean the client process, not the hop, was slow. */
  sendLagP99: number;
  setupMs: number;
  clientCpuPct: number;
  /** CPU time (µs) the hop under test spent per round-tripped frame while paced (floor: the echo fake). */
  hopCpuUs?: number;
  fakeCpuUs?: number;
  /** wrangler dev only: hopCpuUs split between the Worker's workerd, the dev proxy's workerd and the CLI. */
  workerCpuUs?: number;
  proxyCpuUs?: number;
  cliCpuUs?: number;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summarize(x: {
  rtts: number[];
  sent: number;
  warmupReceived: number;
  lateness: number[];
  setupMs: number;
  clientCpuPct: number;
  duplicates: number;
  unmatchedPayloads: number;
  late: number;
  tooLate: number;
}): RunResult {
  const s = Float64Array.from(x.rtts).sort();
  const lag = Float64Array.from(x.lateness).sort();
  return {
    sent: x.sent,
    received: s.length + x.warmupReceived,
    lost: x.sent - s.length - x.warmupReceived,
    late: x.late,
    tooLate: x.tooLate,
    duplicates: x.duplicates,
    unmatchedPayloads: x.unmatchedPayloads,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s.length ? s[s.length - 1]! : NaN,
    sendLagP99: percentile(lag, 99),
    setupMs: x.setupMs,
    clientCpuPct: x.clientCpuPct,
  };
}
