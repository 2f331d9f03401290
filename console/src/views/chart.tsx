import { duration } from "../format";
import { bucketLabel, fillBuckets, niceScale } from "../timeline-scale";
import type { Bucket } from "./analytics";

const W = 760;
const H = 280;
const M = { top: 16, right: 12, bottom: 48, left: 44 };
const LABELS = 8;

/** Calls per bucket as an SVG bar chart, with the same numbers as a table for screen readers and copying. */
export function TimelineChart(props: { buckets: Bucket[]; unit: "day" | "hour"; start: string; end: string }) {
  const points = fillBuckets(props.buckets, props.unit, props.start, props.end);
  const total = points.reduce((n, p) => n + p.calls, 0);
  if (!total)
    return (
      <p class="empty" role="status">
        No calls between {props.start} and {props.end}.
      </p>
    );
  const { top, step } = niceScale(Math.max(...points.map((p) => p.calls)));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const slot = plotW / points.length;
  const barW = Math.max(1, slot * 0.8);
  const y = (v: number) => M.top + plotH - (v / top) * plotH;
  const every = Math.max(1, Math.ceil(points.length / LABELS));
  const ticks: number[] = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);

  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-title chart-desc" data-testid="timeline-chart">
        <title id="chart-title">Calls per {props.unit}</title>
        <desc id="chart-desc">
          {total} calls from {props.start} to {props.end}; the busiest {props.unit} had{" "}
          {Math.max(...points.map((p) => p.calls))}.
        </desc>
        {ticks.map((v) => (
          <g key={v} class="tick">
            <line x1={M.left} x2={W - M.right} y1={y(v)} y2={y(v)} />
            <text x={M.left - 6} y={y(v)} dy="0.32em" text-anchor="end">
              {v}
            </text>
          </g>
        ))}
        {points.map((p, i) => {
          const x = M.left + i * slot + (slot - barW) / 2;
          return (
            <g key={p.bucket}>
              {p.calls > 0 && (
                <rect class="bar" x={x} y={y(p.calls)} width={barW} height={y(0) - y(p.calls)} data-calls={p.calls}>
                  <title>
                    {bucketLabel(p.bucket, props.unit)}: {p.calls} {p.calls === 1 ? "call" : "calls"}, average{" "}
                    {duration(p.avgSeconds)}
                  </title>
                </rect>
              )}
              {i % every === 0 && (
                <text class="xlabel" x={x + barW / 2} y={H - M.bottom + 16} text-anchor="middle">
                  {bucketLabel(p.bucket, props.unit)}
                </text>
              )}
            </g>
          );
        })}
        <line class="axis" x1={M.left} x2={W - M.right} y1={y(0)} y2={y(0)} />
      </svg>
      <details>
        <summary>Show the numbers</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{props.unit === "day" ? "Day (UTC)" : "Hour (UTC)"}</th>
              <th scope="col">Calls</th>
              <th scope="col">Average duration</th>
            </tr>
          </thead>
          <tbody>
            {props.buckets.map((b) => (
              <tr key={b.bucket}>
                <td>{bucketLabel(b.bucket, props.unit)}</td>
                <td>{b.call_count}</td>
                <td>{duration(b.avg_duration_seconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
