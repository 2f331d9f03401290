import { z } from "zod";

/**
 * An ISO-8601 date (`2025-01-31`) or date-time with an offset (`2025-01-31T10:00:00Z`, `…+02:00`).
 * Impossible calendar dates (2025-02-30) are refused by zod's ISO patterns.
 */
const isoDateOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: "must be an ISO 8601 date (2025-01-31) or date-time (2025-01-31T10:00:00Z)",
});

/**
 * A date bound read from a query string: form decoding turns '+' into a space, so a date-time with a positive offset
 * (`2025-01-31T10:00:00+02:00`) arrives as `…10:00:00 02:00`; the space before the final hh:mm is put back to '+'.
 * A preprocess, so the OpenAPI document still shows the date formats.
 */
export const queryDateOrDateTime = z.preprocess(
  (v) => (typeof v === "string" ? v.replace(/(\d) (\d{2}:\d{2})$/, "$1+$2") : v),
  isoDateOrDateTime,
);

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Inclusive lower bound as a stored-format timestamp (`toISOString`): a date starts at 00:00 UTC. */
export function lowerBound(s: string): string {
  return DATE_ONLY.test(s) ? `${s}T00:00:00.000Z` : new Date(s).toISOString();
}

/** Exclusive upper bound: a date covers its whole UTC day; a date-time is included itself (to the millisecond). */
export function upperBoundExclusive(s: string): string {
  const t = DATE_ONLY.test(s) ? Date.parse(`${s}T00:00:00.000Z`) + DAY_MS : Date.parse(s) + 1;
  return new Date(t).toISOString();
}

export interface CreatedRange {
  /** created_at >= from */
  from: string | null;
  /** created_at < toExclusive */
  toExclusive: string | null;
}

export function createdRange(from: string | undefined, to: string | undefined): CreatedRange {
  return { from: from ? lowerBound(from) : null, toExclusive: to ? upperBoundExclusive(to) : null };
}

/** A refinement for query schemas with a pair of bounds: the range must not end before it starts. */
export function orderedRange<K1 extends string, K2 extends string>(fromKey: K1, toKey: K2) {
  return (q: Partial<Record<K1 | K2, string>>, ctx: z.core.$RefinementCtx) => {
    const from = q[fromKey];
    const to = q[toKey];
    if (from && to && lowerBound(from) >= upperBoundExclusive(to)) {
      ctx.addIssue({ code: "custom", path: [toKey], message: `must not be before ${fromKey}` });
    }
  };
}

const MIDNIGHT = "T00:00:00.000Z";

/** The range as whole UTC days (`YYYY-MM-DD`, end exclusive), or null when a bound has a time of day. */
export function wholeDays(r: CreatedRange): { fromDay: string | null; toDayExclusive: string | null } | null {
  const aligned = (s: string | null) => s === null || s.endsWith(MIDNIGHT);
  if (!aligned(r.from) || !aligned(r.toExclusive)) return null;
  return { fromDay: r.from?.slice(0, 10) ?? null, toDayExclusive: r.toExclusive?.slice(0, 10) ?? null };
}
