// Test infrastructure: BRICKLANE_HOST_CRASH names a crash point, and anything else names none (the worker then
// runs uncrashed). That the kill lands where it says is test/chaos/workerKills.test.ts.
import { describe, expect, it } from 'vitest';
import { parseCrashPoint } from './HostCrash';

describe('parseCrashPoint', () => {
  it.each([
    ['commit:3', { point: 'commit', at: 3, delayInMs: 0 }],
    ['activity:7:250', { point: 'activity', at: 7, delayInMs: 250 }],
    [' activity:1 ', { point: 'activity', at: 1, delayInMs: 0 }],
    ['activity:readChecks:1:0', { point: 'activity', at: 1, delayInMs: 0, activity: 'readChecks' }],
    [
      'activity:applyWave@rollback:2:50',
      { point: 'activity', at: 2, delayInMs: 50, activity: 'applyWave', instance: 'rollback' },
    ],
  ])('%s', (text, plan) => expect(parseCrashPoint(text)).toEqual(plan));

  it.each([
    undefined,
    '',
    'commit',
    'commit:x',
    'ledger:2',
    'activity:1:2:3',
    'commit:applyWave:1',
    'activity:a@:1:2:3',
  ])('%s names none', (text) => expect(parseCrashPoint(text)).toBeUndefined());
});
