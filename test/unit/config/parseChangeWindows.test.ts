// Unit: BRICKLANE_<ENV>_CHANGE_WINDOW's syntax, and messages that say what to fix.
import { describe, expect, it } from 'vitest';
import { parseChangeWindows } from '../../../src/config/parseChangeWindows';

const KEY = 'BRICKLANE_PROD_CHANGE_WINDOW';

describe('parseChangeWindows', () => {
  it('reads days, times and the zone of each window', () => {
    expect(parseChangeWindows('Mon-Fri 18:00-22:00 Europe/London;  sat,SUN  09:30-24:00 UTC ;', KEY)).toEqual(
      {
        windows: [
          {
            days: [1, 2, 3, 4, 5],
            startMinute: 1080,
            endMinute: 1320,
            timeZone: 'Europe/London',
            text: 'Mon-Fri 18:00-22:00 Europe/London',
          },
          {
            days: [0, 6],
            startMinute: 570,
            endMinute: 1440,
            timeZone: 'UTC',
            text: 'sat,SUN 09:30-24:00 UTC',
          },
        ],
        problems: [],
      },
    );
  });

  it.each([
    ['Fri-Mon 22:00-02:00 UTC', [0, 1, 5, 6], 1320, 120],
    ['daily 00:00-24:00 America/New_York', [0, 1, 2, 3, 4, 5, 6], 0, 1440],
    ['Mon,Wed,Fri-Sat 06:00-07:00 Asia/Kolkata', [1, 3, 5, 6], 360, 420],
  ])('%s', (text, days, startMinute, endMinute) => {
    const [window] = parseChangeWindows(text, KEY).windows;
    expect(window).toMatchObject({ days, startMinute, endMinute });
  });

  it.each([
    ['', `${KEY} is empty; set it to one or more windows, e.g. "Mon-Fri 18:00-22:00 Europe/London"`],
    [
      'Mon-Fri 18:00-22:00',
      `${KEY}: "Mon-Fri 18:00-22:00": a window is "<days> <HH:MM>-<HH:MM> <time zone>", e.g. "Mon-Fri 18:00-22:00 Europe/London"`,
    ],
    [
      'Mon-Fry 18:00-22:00 UTC',
      `${KEY}: "Mon-Fry 18:00-22:00 UTC": "Mon-Fry" is not a day or a range of days; use Mon, Tue, Wed, Thu, Fri, Sat, Sun, a range (Mon-Fri), a list (Mon,Wed,Fri) or daily`,
    ],
    [
      'Mon 6pm-10pm UTC',
      `${KEY}: "Mon 6pm-10pm UTC": "6pm-10pm" is not a time range; write it as HH:MM-HH:MM in 24-hour time (18:00-22:00)`,
    ],
    [
      'Mon 18:00-24:30 UTC',
      `${KEY}: "Mon 18:00-24:30 UTC": "18:00-24:30" has a time that does not exist; hours 00-23 (an end may be 24:00), minutes 00-59`,
    ],
    [
      'Mon 18:00-18:00 UTC',
      `${KEY}: "Mon 18:00-18:00 UTC": "18:00-18:00" starts and ends at the same time; for a whole day write 00:00-24:00`,
    ],
    [
      'Mon 18:00-22:00 Europe/Londn',
      `${KEY}: "Mon 18:00-22:00 Europe/Londn": "Europe/Londn" is not a time zone this runtime knows; use an IANA time zone name such as Europe/London, America/New_York or UTC`,
    ],
    [
      'Mon 18:00-22:00 +01:00',
      `${KEY}: "Mon 18:00-22:00 +01:00": "+01:00" is not a time zone name; use an IANA time zone name such as Europe/London, America/New_York or UTC`,
    ],
  ])('refuses %j, saying what to fix', (text, problem) => {
    expect(parseChangeWindows(text, KEY)).toEqual({ windows: [], problems: [problem] });
  });

  it('reports every bad window at once, and keeps none of them', () => {
    const parsed = parseChangeWindows('Mon 18:00-22:00 UTC; Tue 25:00-26:00 Mars/Base', KEY);
    expect(parsed.windows).toEqual([]);
    expect(parsed.problems).toHaveLength(2);
  });
});
