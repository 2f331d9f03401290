/** Pure helpers of the timeline chart (tested in Node: test/e2e/console-units.test.ts). */

export interface Point {
  /** ISO start of the bucket, `YYYY-MM-DDTHH:00:00Z` */
  bucket: string;
  calls: number;
  avgSeconds: number | null;
}

/** More buckets than this are drawn as returned (no gap filling): a year of hours is not a bar chart. */
export const MAX_FILLED = 1500;

/**
 * Every bucket from `start` to `end` (UTC days, inclusive), the API's buckets (which omit empty ones) in place and
 * zeros in between, so the x axis is time and a quiet day shows as a gap, not as nothing.
 */
export function fillBuckets(
  points: { bucket: string; call_count: number; avg_duration_seconds: number | null }[],
  unit: "day" | "hour",
  start: string,
  end: string,
): Point[] {
  const given = new Map(points.map((p) => [Date.parse(p.bucket), p]));
  const step = unit === "day" ? 86_400_000 : 3_600_000;
  const from = Date.parse(`${start}T00:00:00Z`);
  const to = Date.parse(`${end}T00:00:00Z`) + 86_400_000;
  const asPoints = (list: typeof points) =>
    list.map((p) => ({ bucket: p.bucket, calls: p.call_count, avgSeconds: p.avg_duration_seconds }));
  if (!(to > from) || (to - from) / step > MAX_FILLED) return asPoints(points);
  const out: Point[] = [];
  for (let t = from; t < to; t += step) {
    const p = given.get(t);
    out.push({
      bucket: new Date(t).toISOString().replace(".000", ""),
      calls: p?.call_count ?? 0,
      avgSeconds: p?.avg_duration_seconds ?? null,
    });
  }
  return out;
}

/** A y axis top and tick step that read well: 1, 2 or 5 times a power of ten, at most ~5 ticks. */
export function niceScale(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const rough = max / 5;
  const pow = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= rough) ?? 10 * pow);
  return { top: Math.ceil(max / step) * step, step };
}

/** The bucket's label on the axis: `May 3` for days, `May 3 14:00` for hours (UTC, as the API buckets). */
export function bucketLabel(iso: string, unit: "day" | "hour"): string {
  const d = new Date(iso);
  const day = d.toLocaleDateString("en", { month: "short", day: "numeric", timeZone: "UTC" });
  return unit === "day" ? day : `${day} ${String(d.getUTCHours()).padStart(2, "0")}:00`;
}
