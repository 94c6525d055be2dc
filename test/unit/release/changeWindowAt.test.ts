// Unit: change windows in time: inside (until when) or outside (opening when), across midnight, across the
// week's end, and across daylight saving time changes in both hemispheres, with the zone's own rules (Intl).
import { describe, expect, it } from 'vitest';
import { parseChangeWindows, type ChangeWindow } from '../../../src/config/parseChangeWindows';
import { changeWindowAt, instantOf } from '../../../src/release/changeWindowAt';

function windows(text: string): ChangeWindow[] {
  const parsed = parseChangeWindows(text, 'BRICKLANE_PROD_CHANGE_WINDOW');
  expect(parsed.problems).toEqual([]);
  return parsed.windows;
}
const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
function stateAt(text: string, when: string): { open: boolean; closesAt?: string; opensAt?: string } {
  const state = changeWindowAt(windows(text), at(when));
  return state.open
    ? { open: true, closesAt: iso(state.closesAt) }
    : { open: false, opensAt: iso(state.opensAt) };
}

describe('changeWindowAt', () => {
  it.each([
    // Friday 27 March 2026, London on GMT: 18:00 local is 18:00 UTC.
    [
      'before the window, same day',
      '2026-03-27T12:00:00Z',
      { open: false, opensAt: '2026-03-27T18:00:00.000Z' },
    ],
    ['inside', '2026-03-27T19:00:00Z', { open: true, closesAt: '2026-03-27T22:00:00.000Z' }],
    ['at the opening instant', '2026-03-27T18:00:00Z', { open: true, closesAt: '2026-03-27T22:00:00.000Z' }],
    // The end is exclusive; the next window after Friday is Monday's, and London moved to BST on Sunday 29:
    // 18:00 BST is 17:00 UTC.
    ['at the closing instant', '2026-03-27T22:00:00Z', { open: false, opensAt: '2026-03-30T17:00:00.000Z' }],
    [
      'over the weekend, across the DST change',
      '2026-03-28T10:00:00Z',
      { open: false, opensAt: '2026-03-30T17:00:00.000Z' },
    ],
    ['inside, in summer time', '2026-03-30T20:59:00Z', { open: true, closesAt: '2026-03-30T21:00:00.000Z' }],
    // Back to GMT on Sunday 25 October 2026.
    [
      'the week the clocks go back',
      '2026-10-24T09:00:00Z',
      { open: false, opensAt: '2026-10-26T18:00:00.000Z' },
    ],
  ])('Mon-Fri 18:00-22:00 Europe/London: %s', (_, when, expected) => {
    expect(stateAt('Mon-Fri 18:00-22:00 Europe/London', when)).toEqual(expected);
  });

  it('a window that crosses midnight belongs to the day it opens', () => {
    const text = 'Fri 22:00-02:00 UTC';
    expect(stateAt(text, '2026-12-05T01:00:00Z')).toEqual({
      open: true,
      closesAt: '2026-12-05T02:00:00.000Z',
    });
    expect(stateAt(text, '2026-12-05T02:00:00Z')).toEqual({
      open: false,
      opensAt: '2026-12-11T22:00:00.000Z',
    });
    expect(stateAt(text, '2026-12-04T21:00:00Z')).toEqual({
      open: false,
      opensAt: '2026-12-04T22:00:00.000Z',
    });
  });

  it('windows that adjoin or overlap are one span', () => {
    const text = 'Mon 18:00-24:00 UTC; Tue 00:00-02:00 UTC; Tue 01:00-03:00 UTC';
    expect(stateAt(text, '2026-12-07T23:00:00Z')).toEqual({
      open: true,
      closesAt: '2026-12-08T03:00:00.000Z',
    });
  });

  it('a range across the week end and a window of one day a week', () => {
    expect(stateAt('Sat-Sun 10:00-12:00 UTC', '2026-12-06T12:30:00Z')).toEqual({
      open: false,
      opensAt: '2026-12-12T10:00:00.000Z',
    });
    expect(stateAt('Mon 09:00-09:30 UTC', '2026-12-07T09:30:00Z')).toEqual({
      open: false,
      opensAt: '2026-12-14T09:00:00.000Z',
    });
    // Open all the time: the days merge into one span, open as far as it looks (a week on).
    expect(stateAt('daily 00:00-24:00 UTC', '2026-12-07T09:30:00Z')).toEqual({
      open: true,
      closesAt: '2026-12-15T00:00:00.000Z',
    });
  });

  it('follows the southern hemisphere and half-hour zones: Sydney and Lord Howe Island in October', () => {
    // Sydney goes from +10 to +11 on Sunday 4 October 2026 at 02:00 local; a 09:00 window opens at 23:00 UTC
    // the day before, then at 22:00 UTC.
    expect(stateAt('daily 09:00-10:00 Australia/Sydney', '2026-10-03T12:00:00Z')).toEqual({
      open: false,
      opensAt: '2026-10-03T22:00:00.000Z',
    });
    expect(stateAt('daily 09:00-10:00 Australia/Sydney', '2026-10-02T12:00:00Z')).toEqual({
      open: false,
      opensAt: '2026-10-02T23:00:00.000Z',
    });
    // Lord Howe moves by half an hour (+10:30 to +11:00) the same night.
    expect(stateAt('daily 09:00-10:00 Australia/Lord_Howe', '2026-10-02T12:00:00Z')).toEqual({
      open: false,
      opensAt: '2026-10-02T22:30:00.000Z',
    });
    expect(stateAt('daily 09:00-10:00 Australia/Lord_Howe', '2026-10-03T12:00:00Z')).toEqual({
      open: false,
      opensAt: '2026-10-03T22:00:00.000Z',
    });
  });

  it('a local time the clocks skip moves forward by the gap; one they repeat is its first instant', () => {
    // London, 29 March 2026: 01:00 GMT becomes 02:00 BST, so 01:30 never shows; it is 02:30 BST (01:30 UTC).
    expect(iso(instantOf(at('2026-03-29T01:30:00Z'), 'Europe/London'))).toBe('2026-03-29T01:30:00.000Z');
    // New York, 1 November 2026: 01:30 shows twice (EDT, then EST); the first is 05:30 UTC.
    expect(iso(instantOf(at('2026-11-01T01:30:00Z'), 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
    // An ordinary time has one instant.
    expect(iso(instantOf(at('2026-07-01T18:00:00Z'), 'America/New_York'))).toBe('2026-07-01T22:00:00.000Z');
  });

  it('a window in a skipped hour opens after the gap; in a repeated hour, at the first of the two', () => {
    expect(stateAt('Sun 01:15-05:00 Europe/London', '2026-03-29T00:00:00Z')).toEqual({
      open: false,
      opensAt: '2026-03-29T01:15:00.000Z',
    });
    expect(stateAt('Sun 01:15-05:00 America/New_York', '2026-11-01T00:00:00Z')).toEqual({
      open: false,
      opensAt: '2026-11-01T05:15:00.000Z',
    });
  });
});
