// Pure: the text of BRICKLANE_<ENV>_CHANGE_WINDOW -> change windows, or what to fix in it.
// Syntax: one window or several separated by ";", each `<days> <HH:MM>-<HH:MM> <time zone>`:
//   Mon-Fri 18:00-22:00 Europe/London; Sat 09:00-12:00 Europe/London
// - days: English three-letter names, case-insensitive: one (Sat), a range (Mon-Fri, or Fri-Mon across the
//   week's end), a list of those (Mon,Wed,Fri-Sat), or `daily`. The days name the day a window OPENS.
// - times: 24-hour local wall-clock times in that zone; the end may be 24:00. An end before the start crosses
//   midnight (Fri 22:00-02:00 runs from Friday 22:00 to Saturday 02:00).
// - time zone: an IANA name (Europe/London, America/New_York) or UTC, checked against the runtime's time zone
//   database (Intl, ECMA-402 IsValidTimeZoneName), so that daylight saving time follows the zone's own rules.
//   Fixed offsets (+01:00) are refused: they would ignore the zone's daylight saving time.

export interface ChangeWindow {
  /** Days the window opens on: 0 = Sunday ... 6 = Saturday (Date#getUTCDay numbering), ascending. */
  days: number[];
  /** Minutes after local midnight: 0..1439. */
  startMinute: number;
  /** Minutes after local midnight: 1..1440; at or before startMinute, the window ends the next day. */
  endMinute: number;
  /** IANA time zone name. */
  timeZone: string;
  /** The window as the operator wrote it (normalized spacing), for the pages. */
  text: string;
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAYS_HELP = 'use Mon, Tue, Wed, Thu, Fri, Sat, Sun, a range (Mon-Fri), a list (Mon,Wed,Fri) or daily';
const EXAMPLE = 'e.g. "Mon-Fri 18:00-22:00 Europe/London"';
const ZONE_NAME = /^(UTC|[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)+)$/;

/** The windows of `text`, or the problems found (each says what to fix), never both. */
export function parseChangeWindows(
  text: string,
  key: string,
): { windows: ChangeWindow[]; problems: string[] } {
  const problems: string[] = [];
  const windows: ChangeWindow[] = [];
  const parts = text
    .split(';')
    .map((p) => p.trim().replace(/\s+/g, ' '))
    .filter(Boolean);
  if (parts.length === 0) problems.push(`${key} is empty; set it to one or more windows, ${EXAMPLE}`);
  for (const part of parts) {
    const problem = (what: string): void => {
      problems.push(`${key}: "${part}": ${what}`);
    };
    const fields = part.split(' ');
    if (fields.length !== 3) {
      problem(`a window is "<days> <HH:MM>-<HH:MM> <time zone>", ${EXAMPLE}`);
      continue;
    }
    const [dayText = '', timeText = '', timeZone = ''] = fields;
    const days = parseDays(dayText);
    if (typeof days === 'string') problem(days);
    const times = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(timeText);
    const startMinute = times ? minuteOf(times[1], times[2], false) : undefined;
    const endMinute = times ? minuteOf(times[3], times[4], true) : undefined;
    if (!times)
      problem(`"${timeText}" is not a time range; write it as HH:MM-HH:MM in 24-hour time (18:00-22:00)`);
    else if (startMinute === undefined || endMinute === undefined)
      problem(
        `"${timeText}" has a time that does not exist; hours 00-23 (an end may be 24:00), minutes 00-59`,
      );
    else if (startMinute === endMinute % 1440 && !(startMinute === 0 && endMinute === 1440))
      problem(`"${timeText}" starts and ends at the same time; for a whole day write 00:00-24:00`);
    const zoneProblem = timeZoneProblem(timeZone);
    if (zoneProblem) problem(zoneProblem);
    if (typeof days === 'string' || startMinute === undefined || endMinute === undefined || zoneProblem)
      continue;
    windows.push({ days, startMinute, endMinute, timeZone, text: part });
  }
  return problems.length > 0 ? { windows: [], problems } : { windows, problems };
}

function parseDays(text: string): number[] | string {
  if (text.toLowerCase() === 'daily') return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set<number>();
  for (const item of text.split(',')) {
    const [from, to, ...rest] = item.split('-');
    const first = dayOf(from);
    const last = to === undefined ? first : dayOf(to);
    if (rest.length > 0 || first === undefined || last === undefined)
      return `"${item || text}" is not a day or a range of days; ${DAYS_HELP}`;
    // Fri-Mon runs across the week's end: Fri, Sat, Sun, Mon.
    for (let day = first; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === last) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

function dayOf(name: string | undefined): number | undefined {
  const at = DAY_NAMES.indexOf((name ?? '').toLowerCase());
  return at < 0 ? undefined : at;
}

function minuteOf(
  hours: string | undefined,
  minutes: string | undefined,
  isEnd: boolean,
): number | undefined {
  const h = Number(hours);
  const m = Number(minutes);
  if (isEnd && h === 24 && m === 0) return 1440;
  return h <= 23 && m <= 59 ? h * 60 + m : undefined;
}

function timeZoneProblem(zone: string): string | undefined {
  const fix = 'use an IANA time zone name such as Europe/London, America/New_York or UTC';
  if (!ZONE_NAME.test(zone)) return `"${zone}" is not a time zone name; ${fix}`;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return `"${zone}" is not a time zone this runtime knows; ${fix}`;
  }
}
