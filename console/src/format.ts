/** Display helpers: local time for people, UTC dates for the API's date filters (whole UTC days). */
export const dateTime = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "—";

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m ? `${m} min ${String(s % 60).padStart(2, "0")} s` : `${s} s`;
}

/** `HH:MM:SS` (the transcript's timestamps) → seconds. */
export function clockSeconds(stamp: string): number {
  return stamp.split(":").reduce((acc, part) => acc * 60 + Number(part), 0);
}

export const percent = (ratio: number | null | undefined): string =>
  ratio === null || ratio === undefined ? "—" : `${Math.round(ratio * 1000) / 10} %`;

/** `YYYY-MM-DD` of a UTC day `days` before today. */
export function utcDay(daysAgo = 0, now = Date.now()): string {
  return new Date(now - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

/** "in 11 h 58 min", "in 42 s", "expired". */
export function untilText(targetMs: number, now = Date.now()): string {
  const s = Math.round((targetMs - now) / 1000);
  if (s <= 0) return "expired";
  if (s < 60) return `in ${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `in ${m} min` : `in ${Math.floor(m / 60)} h ${m % 60} min`;
}
