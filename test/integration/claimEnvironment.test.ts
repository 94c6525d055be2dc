// The apply lock orders releases per environment with the latest winning: one applies, at most one waits
// behind it, a newer one supersedes the one waiting, the holder wakes the queued one when it gives the lock
// up, and a release older than one that took the lock never applies (the burst test found older queued
// releases deploying Dev over the newest). Real Azurite records and the real durable client against a
// stand-in of the extension's HTTP API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimEnvironment } from '../../src/activities/claimEnvironment';
import { releaseEnvironment } from '../../src/activities/releaseEnvironment';
import { ENVIRONMENT_FREE_EVENT } from '../../src/release/ApprovalEvent';
import { Azurite } from '../emulator/Azurite';
import { FakeDurableApi } from '../emulator/FakeDurableApi';

let durable: FakeDurableApi;
let azurite: Azurite;

beforeAll(async () => {
  [durable, azurite] = await Promise.all([FakeDurableApi.start(), Azurite.start()]);
  Object.assign(process.env, {
    BRICKLANE_ENVIRONMENTS: 'dev',
    BRICKLANE_DEV_DATABRICKS_AUTH: 'token',
    BRICKLANE_DEV_WORKSPACE_URL: 'https://adb-1.1.azuredatabricks.net',
    BRICKLANE_DEV_DATABRICKS_TOKEN: 'dapi-test',
    BRICKLANE_LEDGER_CONNECTION: azurite.connectionString,
  });
});
afterAll(async () => {
  await Promise.all([durable?.stop(), azurite?.stop()]);
});

/** A live release that started at minute `minute` of the day. */
function release(name: string, minute: number): { releaseId: string; startedAt: string } {
  durable.instances.set(name, { runtimeStatus: 'Running', customStatus: null });
  return { releaseId: name, startedAt: `2026-12-04T10:${String(minute).padStart(2, '0')}:00.000Z` };
}

const apply = (r: { releaseId: string; startedAt: string }, environment: string) =>
  claimEnvironment({ ...r, environment, phase: 'applying' }, durable.invocationContext('claimEnvironment'));
const giveUp = (r: { releaseId: string }, environment: string) =>
  releaseEnvironment(
    { releaseId: r.releaseId, environment, phase: 'applying' },
    durable.invocationContext('x'),
  );
const wakeUps = (releaseId: string): number =>
  durable.eventsFor(releaseId).filter((e) => e.name === ENVIRONMENT_FREE_EVENT).length;

describe('the apply lock', () => {
  it('queues one release behind the holder; a newer one takes its place and wakes it to end', async () => {
    const a = release('r-a', 1);
    const b = release('r-b', 2);
    const c = release('r-c', 3);
    expect(await apply(a, 'q1')).toEqual({ granted: true });
    expect(await apply(b, 'q1')).toEqual({ granted: false, other: 'r-a' });
    // Asking again while queued changes nothing.
    expect(await apply(b, 'q1')).toEqual({ granted: false, other: 'r-a' });
    expect(await apply(c, 'q1')).toEqual({ granted: false, other: 'r-a' });
    expect(wakeUps('r-b')).toBe(1);
    expect(await apply(b, 'q1')).toEqual({ granted: false, superseded: true, other: 'r-c' });
    // The holder gives the lock up and wakes the queued release, which takes it.
    await giveUp(a, 'q1');
    expect(wakeUps('r-c')).toBe(1);
    expect(await apply(c, 'q1')).toEqual({ granted: true });
  });

  it('never lets an older release apply after a newer one took the lock, even once it is free', async () => {
    const newer = release('r-newer', 20);
    const older = release('r-older', 10);
    expect(await apply(newer, 'q2')).toEqual({ granted: true });
    expect(await apply(older, 'q2')).toEqual({ granted: false, superseded: true, other: 'r-newer' });
    await giveUp(newer, 'q2');
    expect(await apply(older, 'q2')).toEqual({ granted: false, superseded: true, other: 'r-newer' });
    // A newer release (a re-run of an older bundle is one) applies after it.
    expect(await apply(release('r-rerun', 30), 'q2')).toEqual({ granted: true });
  });

  it('takes the lock from a holder that no longer runs, and a queued older release then ends', async () => {
    const holder = release('r-crashed', 1);
    const queued = release('r-queued', 2);
    const newest = release('r-newest', 3);
    expect(await apply(holder, 'q3')).toEqual({ granted: true });
    expect(await apply(queued, 'q3')).toEqual({ granted: false, other: 'r-crashed' });
    durable.instances.set('r-crashed', { runtimeStatus: 'Terminated', customStatus: null });
    expect(await apply(newest, 'q3')).toEqual({ granted: true, other: 'r-crashed' });
    expect(wakeUps('r-queued')).toBe(1);
    expect(await apply(queued, 'q3')).toEqual({ granted: false, superseded: true, other: 'r-newest' });
  });
});
