import { describe, expect, it } from "vitest";
import { bucketLabel, fillBuckets, MAX_FILLED, niceScale } from "../../console/src/timeline-scale";

const api = (bucket: string, n: number, avg: number | null = 30) => ({
  bucket,
  call_count: n,
  avg_duration_seconds: avg,
});

describe("console timeline chart: buckets and scale", () => {
  it("fills the days the API left out with zeros, keeping its own buckets in place", () => {
    const points = fillBuckets(
      [api("2026-05-02T00:00:00Z", 4), api("2026-05-04T00:00:00Z", 1, null)],
      "day",
      "2026-05-01",
      "2026-05-04",
    );
    expect(points).toEqual([
      { bucket: "2026-05-01T00:00:00Z", calls: 0, avgSeconds: null },
      { bucket: "2026-05-02T00:00:00Z", calls: 4, avgSeconds: 30 },
      { bucket: "2026-05-03T00:00:00Z", calls: 0, avgSeconds: null },
      { bucket: "2026-05-04T00:00:00Z", calls: 1, avgSeconds: null },
    ]);
  });

  it("fills every hour of the range's days", () => {
    const points = fillBuckets([api("2026-05-01T13:00:00Z", 2)], "hour", "2026-05-01", "2026-05-02");
    expect(points).toHaveLength(48);
    expect(points[13]).toEqual({ bucket: "2026-05-01T13:00:00Z", calls: 2, avgSeconds: 30 });
    expect(points.filter((p) => p.calls > 0)).toHaveLength(1);
  });

  it("draws the API's buckets as they are when the range is too long to fill or makes no sense", () => {
    const given = [api("2025-01-01T05:00:00Z", 1), api("2026-01-01T05:00:00Z", 3)];
    const tooLong = fillBuckets(given, "hour", "2025-01-01", "2026-01-01");
    expect(tooLong.map((p) => p.calls)).toEqual([1, 3]);
    expect(365 * 24).toBeGreaterThan(MAX_FILLED);
    expect(fillBuckets(given, "day", "2026-02-01", "2026-01-01").map((p) => p.calls)).toEqual([1, 3]);
  });

  it("picks a y axis of 1, 2 or 5 times a power of ten that covers the tallest bar", () => {
    expect(niceScale(0)).toEqual({ top: 1, step: 1 });
    expect(niceScale(3)).toEqual({ top: 3, step: 1 });
    expect(niceScale(7)).toEqual({ top: 8, step: 2 });
    expect(niceScale(42)).toEqual({ top: 50, step: 10 });
    expect(niceScale(1234)).toEqual({ top: 1500, step: 500 });
  });

  it("labels buckets in UTC, as the API buckets them", () => {
    expect(bucketLabel("2026-05-03T00:00:00Z", "day")).toBe("May 3");
    expect(bucketLabel("2026-05-03T07:00:00Z", "hour")).toBe("May 3 07:00");
  });
});
