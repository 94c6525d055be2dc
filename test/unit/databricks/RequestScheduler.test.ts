import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RequestScheduler } from '../../../src/databricks/RequestScheduler';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;

describe('RequestScheduler', () => {
  it.each([
    ['workspace/import', 'workspace/import'],
    ['dbfs/put', 'dbfs/*'],
    ['dbfs/add-block', 'dbfs/*'],
    ['jobs/create', 'jobs/create'],
    ['jobs/reset', 'default'],
    ['clusters/list', 'default'],
    ['toString', 'default'],
  ])('puts %s in group %s', (endpoint, group) => {
    expect(new RequestScheduler().groupOf(endpoint)).toBe(group);
  });

  it('never has more than maxInFlight requests in flight', async () => {
    const scheduler = new RequestScheduler({ maxInFlight: 4, ratesPerSecond: { default: 10_000 } });
    let concurrent = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 40 }, () =>
        scheduler.run('clusters/get', async () => {
          concurrent++;
          peak = Math.max(peak, concurrent);
          await sleep(Math.random() * 10);
          concurrent--;
        }),
      ),
    );
    expect(peak).toBe(4);
    expect(scheduler.getStats()).toEqual({
      inFlight: 0,
      maxInFlightSeen: 4,
      started: 40,
      throttled: 0,
      queued: 0,
    });
  });

  it('spaces starts of a 30/s group evenly: 16 dbfs calls take about half a second', async () => {
    const scheduler = new RequestScheduler();
    const starts: number[] = [];
    const begin = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, () =>
        scheduler.run('dbfs/add-block', async () => void starts.push(performance.now())),
      ),
    );
    const elapsed = performance.now() - begin;
    // 15 intervals of 1000/30 ms = 500 ms: never faster than the rate.
    expect(elapsed).toBeGreaterThanOrEqual(490);
    const gaps = starts.slice(1).map((at, i) => at - (starts[i] ?? 0));
    // One start may come up to the 4 ms catch-up slack early after a late timer; never a burst.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000 / 30 - 5);
    // And not much slower: the typical gap is within 10% of the rate's interval. The median rather than the
    // total, so that a pause of a busy machine (one long gap) does not count as a slow scheduler.
    expect(median(gaps)).toBeLessThan((1000 / 30) * 1.1);
  });

  it('lets a burst through at once when configured, then holds the rate', async () => {
    const scheduler = new RequestScheduler({ burst: 10, ratesPerSecond: { 'jobs/create': 20 } });
    const begin = performance.now();
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 15 }, () =>
        scheduler.run('jobs/create', async () => void starts.push(performance.now() - begin)),
      ),
    );
    // The first ten start without waiting for the rate (at 20/s the tenth would come after 450 ms); the
    // eleventh waits for the rate's 50 ms interval.
    expect(starts[9]).toBeLessThan(200);
    expect(starts[10]).toBeGreaterThanOrEqual(45);
    // 5 more at 20/s
    expect(performance.now() - begin).toBeGreaterThanOrEqual(245);
  });

  it('keeps groups independent: a slow group does not hold back the others', async () => {
    const scheduler = new RequestScheduler({ ratesPerSecond: { 'jobs/create': 5 } });
    const begin = performance.now();
    const slow = Promise.all(
      Array.from({ length: 3 }, () => scheduler.run('jobs/create', async () => undefined)),
    );
    await Promise.all(Array.from({ length: 5 }, () => scheduler.run('clusters/get', async () => undefined)));
    // Held back, they would finish after the slow group's 400 ms; the margin is for a busy machine.
    expect(performance.now() - begin).toBeLessThan(300);
    await slow;
    expect(performance.now() - begin).toBeGreaterThanOrEqual(395);
  });

  it('pauses only the throttled group until Retry-After has passed', async () => {
    const scheduler = new RequestScheduler();
    scheduler.reportThrottled('dbfs/put', 200);
    const begin = performance.now();
    await scheduler.run('workspace/mkdirs', async () => undefined);
    expect(performance.now() - begin).toBeLessThan(150);
    await scheduler.run('dbfs/close', async () => undefined);
    expect(performance.now() - begin).toBeGreaterThanOrEqual(195);
    expect(scheduler.getStats().throttled).toBe(1);
  });

  it('drops a waiter whose caller aborts, and releases the slot of a failed task', async () => {
    const scheduler = new RequestScheduler({ maxInFlight: 1 });
    let release: () => void = () => undefined;
    const first = scheduler.run('clusters/get', () => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    const second = scheduler.run('clusters/get', async () => 'ran', { abortSignal: controller.signal });
    expect(scheduler.getStats().queued).toBe(1);
    controller.abort();
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    expect(scheduler.getStats().queued).toBe(0);
    release();
    await first;
    await expect(
      scheduler.run('clusters/get', async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(await scheduler.run('clusters/get', async () => 'next')).toBe('next');
    expect(scheduler.getStats().inFlight).toBe(0);
  });

  it('does not keep the process alive when idle, even while a group is paused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bricklane-scheduler-'));
    const script = join(dir, 'idle.ts');
    writeFileSync(
      script,
      [
        `import { RequestScheduler } from ${JSON.stringify(join(process.cwd(), 'src/databricks/RequestScheduler'))};`,
        "const scheduler = new RequestScheduler({ ratesPerSecond: { 'dbfs/*': 50 } });",
        "void Promise.all(Array.from({ length: 5 }, () => scheduler.run('dbfs/put', async () => undefined))).then(() => {",
        "  scheduler.reportThrottled('dbfs/put', 60_000);",
        "  console.log('idle');",
        '});',
      ].join('\n'),
    );
    const started = performance.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    rmSync(dir, { recursive: true, force: true });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('idle');
    expect(result.status).toBe(0);
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('rejects nonsensical settings', () => {
    expect(() => new RequestScheduler({ maxInFlight: 0 })).toThrow(/maxInFlight/);
    expect(() => new RequestScheduler({ ratesPerSecond: { default: 0 } })).toThrow(/rate of group default/);
  });
});
