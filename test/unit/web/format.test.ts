import { describe, expect, it } from 'vitest';
import { describeState, formatDuration, formatUtc, sourceLabel } from '../../../src/web/format';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [45_400, '45 s'],
    [59_600, '1 min 0 s'],
    [185_000, '3 min 5 s'],
    [7_800_000, '2 h 10 min'],
    [(3 * 24 + 4) * 3_600_000, '3 d 4 h'],
    [-1, '–'],
    [Number.NaN, '–'],
    [Number.POSITIVE_INFINITY, '–'],
  ])('%j ms -> %j', (milliseconds, text) => {
    expect(formatDuration(milliseconds)).toBe(text);
  });
});

describe('formatUtc', () => {
  it('writes UTC to the second, from a Date or an ISO string', () => {
    expect(formatUtc(new Date('2026-11-27T10:00:05.678Z'))).toBe('2026-11-27 10:00:05 UTC');
    expect(formatUtc('2026-11-27T11:00:05+01:00')).toBe('2026-11-27 10:00:05 UTC');
  });

  it('shows a time it cannot read as it came', () => {
    expect(formatUtc('yesterday-ish')).toBe('yesterday-ish');
  });
});

describe('labels', () => {
  it('names known states and source kinds; unknown ones, even prototype keys, show as themselves', () => {
    expect(describeState('waiting')).toEqual({ label: 'Waiting for approval', tone: 'wait' });
    expect(describeState('failed')).toEqual({ label: 'Failed', tone: 'bad' });
    expect(describeState('Terminated')).toEqual({ label: 'Terminated', tone: 'idle' });
    expect(describeState('constructor')).toEqual({ label: 'constructor', tone: 'idle' });
    expect(sourceLabel('azureRepos')).toBe('Azure Repos push');
    expect(sourceLabel('ftp')).toBe('ftp');
    expect(sourceLabel('toString')).toBe('toString');
  });
});
