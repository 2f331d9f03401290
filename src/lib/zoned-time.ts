/**
 * Wall-clock time in an IANA time zone (the platform's Intl data), for calling hours: is a weekly window open at
 * an instant, and when does it open next. Daylight-saving changes are the time zone's: a window opening at 09:00
 * opens at 09:00 local time on both sides of a change.
 */

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Open on `days`, from `startMinute` (inclusive) to `endMinute` (exclusive), minutes after local midnight. */
export interface WeeklyWindow {
  days: readonly Weekday[];
  startMinute: number;
  endMinute: number;
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: Weekday;
  /** Minutes after local midnight. */
  minute: number;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(tz, f);
  }
  return f;
}

function parts(ms: number, tz: string) {
  const out: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) out[p.type] = p.value;
  const n = (k: string) => Number(out[k]);
  return {
    year: n("year"),
    month: n("month"),
    day: n("day"),
    hour: n("hour") % 24,
    minute: n("minute"),
    second: n("second"),
    weekday: out.weekday ?? "",
  };
}

export function localTime(ms: number, tz: string): LocalTime {
  const p = parts(ms, tz);
  const weekday = WEEKDAYS.find((d) => d === p.weekday.slice(0, 3).toLowerCase());
  if (!weekday) throw new Error(`no weekday for ${tz}`);
  return { year: p.year, month: p.month, day: p.day, weekday, minute: p.hour * 60 + p.minute };
}

/** How far the zone's wall clock is ahead of UTC at `ms`. */
function offsetMs(ms: number, tz: string): number {
  const p = parts(ms, tz);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant a local date and minute of the day happens in `tz` (a minute skipped by a DST change: an hour later). */
export function localToInstant(year: number, month: number, day: number, minute: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, day, 0, minute);
  let at = wall - offsetMs(wall, tz);
  const again = wall - offsetMs(at, tz);
  if (again !== at) at = again;
  return at;
}

export function isOpen(ms: number, w: WeeklyWindow, tz: string): boolean {
  const t = localTime(ms, tz);
  return w.days.includes(t.weekday) && t.minute >= w.startMinute && t.minute < w.endMinute;
}

/** `ms` when the window is open then; otherwise the next instant it opens (within a week), or null for no days. */
export function nextOpening(ms: number, w: WeeklyWindow, tz: string): number | null {
  if (isOpen(ms, w, tz)) return ms;
  const today = localTime(ms, tz);
  for (let d = 0; d <= 7; d++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + d));
    const weekday = WEEKDAYS[(date.getUTCDay() + 6) % 7]!;
    if (!w.days.includes(weekday)) continue;
    const at = localToInstant(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), w.startMinute, tz);
    if (at > ms) return at;
  }
  return null;
}
