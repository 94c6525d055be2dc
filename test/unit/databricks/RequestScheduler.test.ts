import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RequestScheduler } from '../../../src/databricks/RequestScheduler';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

  // Pacing is judged on a fake clock: the scheduler reads the global `performance` and `setTimeout`, so its
  // starts are exact here, and a busy machine (a descheduled test process) cannot move them.
  describe('on a fake clock', () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    /** Starts `count` requests of `endpoint` at once; their start times, once the clock has run them all. */
    async function startTimes(
      scheduler: RequestScheduler,
      endpoint: string,
      count: number,
    ): Promise<number[]> {
      const begin = performance.now();
      const starts: number[] = [];
      const all = Promise.all(
        Array.from({ length: count }, () =>
          scheduler.run(endpoint, async () => void starts.push(performance.now() - begin)),
        ),
      );
      await vi.runAllTimersAsync();
      await all;
      return starts;
    }

    it('spaces starts of a 30/s group evenly: 16 dbfs calls take half a second', async () => {
      const starts = await startTimes(new RequestScheduler(), 'dbfs/add-block', 16);
      expect(starts).toHaveLength(16);
      expect(starts[0]).toBe(0);
      const gaps = starts.slice(1).map((at, i) => at - (starts[i] ?? 0));
      // Timers take whole milliseconds: each gap is 33 or 34 ms, and the rounding does not add up (16 starts
      // 34 ms apart would end at 510 ms).
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(33);
      for (const gap of gaps) expect(gap).toBeLessThanOrEqual(34);
      expect(starts[15]).toBeGreaterThanOrEqual(500);
      expect(starts[15]).toBeLessThan(505);
    });

    it('lets a burst through at once when configured, then holds the rate', async () => {
      const scheduler = new RequestScheduler({ burst: 10, ratesPerSecond: { 'jobs/create': 20 } });
      const starts = await startTimes(scheduler, 'jobs/create', 15);
      expect(starts.slice(0, 10)).toEqual(Array.from({ length: 10 }, () => 0));
      // 5 more at 20/s, 50 ms apart.
      const rest = starts.slice(10);
      expect(rest.slice(1).map((at, i) => at - (rest[i] ?? 0))).toEqual([50, 50, 50, 50]);
      expect(rest[0]).toBeGreaterThanOrEqual(45);
      expect(rest[0]).toBeLessThanOrEqual(50);
    });

    it('keeps groups independent: a slow group does not hold back the others', async () => {
      const scheduler = new RequestScheduler({ ratesPerSecond: { 'jobs/create': 5 } });
      const [slow, fast] = await Promise.all([
        startTimes(scheduler, 'jobs/create', 3),
        startTimes(scheduler, 'clusters/get', 5),
      ]);
      expect(slow).toEqual([0, 200, 400]);
      // The default group's 100/s, undisturbed by the jobs/create requests waiting for their turn.
      expect(fast).toEqual([0, 10, 20, 30, 40]);
    });

    it('pauses only the throttled group until Retry-After has passed', async () => {
      const scheduler = new RequestScheduler();
      scheduler.reportThrottled('dbfs/put', 200);
      const begin = performance.now();
      await scheduler.run('workspace/mkdirs', async () => undefined);
      expect(performance.now() - begin).toBe(0);
      let startedAt: number | undefined;
      const paused = scheduler.run('dbfs/close', async () => void (startedAt = performance.now() - begin));
      await vi.advanceTimersByTimeAsync(199);
      expect(startedAt).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      await paused;
      expect(startedAt).toBe(200);
      expect(scheduler.getStats().throttled).toBe(1);
    });
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
