// Pure: whether an instant is inside one of an environment's change windows, and until when; or when the next
// one opens. The orchestration calls it with context.df.currentUtcDateTime, so a replay computes the same
// timers. Local wall-clock times become instants through Intl (the IANA time zone database the runtime
// ships), never through hand-written offsets, so daylight saving time follows each zone's rules. A local time
// that happens twice (the hour the clocks go back) is its first instant; one that never happens (the hour
// they go forward) moves forward by the gap: Temporal's "compatible" disambiguation, which follows RFC 5545
// for recurring events (tc39.es/proposal-temporal, GetPossibleEpochNanoseconds / DisambiguatePossibleEpochNanoseconds).
import type { ChangeWindow } from '../config/parseChangeWindows';

export type WindowState =
  /** Inside a window: the apply may start; `closesAt` is when the window (with any that adjoin it) ends. */
  | { open: true; closesAt: number }
  /** Outside: the next window opens at `opensAt`. */
  | { open: false; opensAt: number };

const MINUTE_IN_MS = 60_000;
const DAY_IN_MS = 24 * 60 * MINUTE_IN_MS;

/** `windows` (at least one) at instant `at` (epoch milliseconds). */
export function changeWindowAt(windows: readonly ChangeWindow[], at: number): WindowState {
  const spans = windows.flatMap((w) => spansAround(w, at)).sort((a, b) => a.start - b.start);
  // Windows that overlap or adjoin (Mon 18:00-24:00 and Tue 00:00-02:00) are one span.
  const merged: { start: number; end: number }[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  const inside = merged.find((s) => s.start <= at && at < s.end);
  if (inside) return { open: true, closesAt: inside.end };
  const next = merged.find((s) => s.start > at);
  // Every window opens at least once a week, and the spans cover the next eight local days.
  if (!next) throw new RangeError('changeWindowAt: no window opens within a week');
  return { open: false, opensAt: next.start };
}

/**
 * The window's spans that start on the local days from the day before `at` to a week after it: the day
 * before covers a window that crosses midnight into today.
 */
function spansAround(window: ChangeWindow, at: number): { start: number; end: number }[] {
  const today = localDayStart(wallClock(at, window.timeZone));
  const spans: { start: number; end: number }[] = [];
  for (let offset = -1; offset <= 7; offset++) {
    const day = today + offset * DAY_IN_MS;
    if (!window.days.includes(new Date(day).getUTCDay())) continue;
    const endMinute = window.endMinute <= window.startMinute ? window.endMinute + 1440 : window.endMinute;
    spans.push({
      start: instantOf(day + window.startMinute * MINUTE_IN_MS, window.timeZone),
      end: instantOf(day + endMinute * MINUTE_IN_MS, window.timeZone),
    });
  }
  return spans;
}

/**
 * The instant at which the clocks of `timeZone` show `local` (a wall-clock time written as if it were UTC).
 * The zone's offsets a day before and a day after are the only candidates: time zones change their offset at
 * most a few times a year.
 */
export function instantOf(local: number, timeZone: string): number {
  const before = local - offsetAt(local - DAY_IN_MS, timeZone);
  const after = local - offsetAt(local + DAY_IN_MS, timeZone);
  const matches = [before, after].filter((t) => wallClock(t, timeZone) === local);
  // Twice (the clocks went back): the first. Never (they went forward): with the offset before the change,
  // which lands after the gap, as much later as the gap is long.
  return matches.length > 0 ? Math.min(...matches) : before;
}

/** The offset of `timeZone` from UTC at `at`, in milliseconds (Europe/London in summer: +3,600,000). */
function offsetAt(at: number, timeZone: string): number {
  return wallClock(at, timeZone) - Math.floor(at / 1000) * 1000;
}

/** Local midnight of the wall-clock time `local`. */
function localDayStart(local: number): number {
  return Math.floor(local / DAY_IN_MS) * DAY_IN_MS;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** What the clocks of `timeZone` show at `at` (whole seconds), written as if it were a UTC time. */
export function wallClock(at: number, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(at)) parts[part.type] = Number(part.value);
  return Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
}
