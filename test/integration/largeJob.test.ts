// A job with more tasks than one Jobs 2.2 page holds, end to end: the real CLI, the real client, the emulator
// over HTTPS. jobs/list 2.2 shows 100 tasks of it and jobs/get pages them by 100
// (https://learn.microsoft.com/azure/databricks/reference/jobs-api-2-2-updates), so a redeploy that compared a
// first page would see 100 tasks against 150 and reset the job every time.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalWorld } from '../sandbox/LocalWorld';
import { runCliCaptured } from '../sandbox/runCliCaptured';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');
const ENV = 'wide';

const wideJob = (pathOf: (i: number) => string) => ({
  name: 'wide_job',
  max_concurrent_runs: 1,
  tasks: Array.from({ length: 150 }, (_, i) => ({
    task_key: `t${String(i).padStart(3, '0')}`,
    existing_cluster_name: 'Small',
    notebook_task: { notebook_path: pathOf(i) },
  })),
});

interface PlanJson {
  plan: { steps: { key: string; action: string; changes?: string[]; drift?: string }[] };
}

describe('a job with 150 tasks', () => {
  let world: LocalWorld;
  let bundleDir: string;

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: [ENV], auth: 'token' });
    bundleDir = mkdtempSync(join(tmpdir(), 'bricklane-wide-'));
    cpSync(ARTIFACTS, bundleDir, { recursive: true });
    writeFileSync(join(bundleDir, 'jobs', 'wide.json'), JSON.stringify(wideJob(() => 'etl/ingest')));
  });
  afterAll(async () => {
    await world?.stop();
    rmSync(bundleDir, { recursive: true, force: true });
  });

  const wideStep = async () => {
    const run = await runCliCaptured(world, ['plan', bundleDir, '--env', ENV, '--json']);
    expect(run.code, run.stderr).toBe(0);
    return (JSON.parse(run.stdout) as PlanJson).plan.steps.find((s) => s.key === 'jobs.wide_job');
  };
  const liveWideJob = () => world.emulator.snapshot(ENV).jobs.find((j) => j.settings['name'] === 'wide_job');
  const deploy = async () => {
    world.emulator.resetCounters();
    const run = await runCliCaptured(world, ['deploy', bundleDir, '--env', ENV]);
    expect(run.stderr + run.stdout).not.toMatch(/FAILED/);
    expect(run.code).toBe(0);
    return world.emulator.counters(ENV);
  };

  it('is created through Jobs 2.2 with all its tasks and queueing set off explicitly', async () => {
    const counters = await deploy();
    const live = liveWideJob();
    expect(live?.settings['tasks']).toHaveLength(150);
    expect(live?.settings['queue']).toEqual({ enabled: false });
    const endpoints = Object.keys(counters.byEndpoint).filter((e) => e.includes('/jobs/'));
    expect(endpoints.length).toBeGreaterThan(0);
    expect(endpoints.filter((e) => !e.startsWith('2.2/'))).toEqual([]);
  });

  it('redeploys with no change: the plan says unchanged and nothing is written', async () => {
    expect(await wideStep()).toMatchObject({ action: 'unchanged' });
    const counters = await deploy();
    expect(counters.writes).toBe(0);
    // jobs/list showed 100 tasks and has_more; the rest came from jobs/get pages (two for 150 tasks).
    expect(counters.byEndpoint['2.2/jobs/get']).toBe(2);
  });

  it('sees a change in task 120 and resets the job with it', async () => {
    const changed = (i: number) => (i === 120 ? 'etl/transform' : 'etl/ingest');
    writeFileSync(join(bundleDir, 'jobs', 'wide.json'), JSON.stringify(wideJob(changed)));
    expect(await wideStep()).toMatchObject({ action: 'update', changes: ['tasks'] });
    const counters = await deploy();
    expect(counters.writes).toBe(1);
    expect(counters.byEndpoint['2.2/jobs/reset']).toBe(1);
    const tasks = liveWideJob()?.settings['tasks'] as { notebook_task: { notebook_path: string } }[];
    expect(tasks[120]?.notebook_task.notebook_path).toMatch(/\/etl\/transform$/);
    expect(tasks[119]?.notebook_task.notebook_path).toMatch(/\/etl\/ingest$/);
    expect(await wideStep()).toMatchObject({ action: 'unchanged' });
  });

  it('shows queueing turned on outside bricklane as a change, and turns it off again', async () => {
    const live = liveWideJob();
    if (!live) throw new Error('wide_job is not deployed');
    world.emulator.workspace(ENV).jobs.update(live.job_id, { queue: { enabled: true } }, []);
    expect(await wideStep()).toMatchObject({ action: 'update', changes: ['queue'] });
    await deploy();
    expect(liveWideJob()?.settings['queue']).toEqual({ enabled: false });
  });

  it('leaves a job deployed before the move to 2.2 (no queue field: not queued) unchanged', async () => {
    const live = liveWideJob();
    if (!live) throw new Error('wide_job is not deployed');
    const { queue: _queue, ...settings2_1 } = live.settings;
    world.emulator.workspace(ENV).jobs.reset(live.job_id, settings2_1, '2.1');
    expect(liveWideJob()?.settings).not.toHaveProperty('queue');
    expect(await wideStep()).toMatchObject({ action: 'unchanged' });
  });
});
