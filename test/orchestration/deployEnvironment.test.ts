// Orchestration tests: the real deployEnvironment sub-orchestration (under the real deployRelease) on the
// sandbox Functions host, with scripted activities: a failed wave stops its dependants, a transient failure
// is retried, a host killed in the middle of the files fan-out resumes, and history stays small.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORCHESTRATIONS, type DeployEnvironmentResult } from '../../src/activities/contracts';
import { FILES_BATCH_SIZE } from '../../src/orchestrations/deployRelease';
import { approvalEventName } from '../../src/release/ApprovalEvent';
import { Azurite } from '../emulator/Azurite';
import { FastForwardClock } from '../sandbox/host/FastForwardClock';
import { FunctionHost } from '../sandbox/host/FunctionHost';
import { EventType, type HistoryEvent } from '../sandbox/host/HistoryEvent';
import { loadFunctionApp } from '../sandbox/host/loadFunctionApp';
import { activityScript, TOUCHED_CLUSTER } from './fixtures/activityScript';
import {
  clientFor,
  expectDeterministic,
  finished,
  outline,
  RELEASE_APP,
  releaseInput,
  schedule,
  scheduledCalls,
  stageOf,
  startRelease,
  until,
  waitingAt,
} from './fixtures/releaseHarness';
import { applySpans } from '../../src/release/compactStatus';

const filesIn = (batches: number): number => (batches - 1) * FILES_BATCH_SIZE + 1;
const fileBatches = (env: string, batches: number): string[] =>
  Array.from({ length: batches }, (_, b) => `applyWave:${env}:files:${b}`);

/** The lines of `lines` that are in `wanted`, in their order: a subsequence to compare. */
const only = (lines: readonly string[], wanted: readonly string[]): string[] =>
  lines.filter((line) => wanted.includes(line));

/** The orchestration clock of the episode that first scheduled `call` (its TaskScheduled's time). */
const scheduledAt = (history: readonly HistoryEvent[], call: string): string =>
  history.filter((e) => e.EventType === EventType.TaskScheduled)[scheduledCalls(history).indexOf(call)]
    ?.Timestamp ?? `${call} not scheduled`;
/** Provisioning and every wave of the scripted plan (DEFAULT_COUNTS: one of each, ten files). */
const everyStep = (env: string): string[] => [
  `provisionEnvironment:${env}`,
  ...['initScripts', 'clusters', 'files:0', 'jobs', 'lifecycle'].map((w) => `applyWave:${env}:${w}`),
];
/** The orchestration clock of the episode that completed the instance. */
const completedAt = (history: readonly HistoryEvent[]): string =>
  history.find((e) => e.EventType === EventType.ExecutionCompleted)?.Timestamp ?? 'not completed';
/** A span from the episode that scheduled `from` to the one that scheduled `to` (or completed). */
const span = (history: readonly HistoryEvent[], from: string, to?: string) => ({
  startedAt: scheduledAt(history, from),
  finishedAt: to === undefined ? completedAt(history) : scheduledAt(history, to),
});

describe('deployEnvironment on the sandbox host', () => {
  const clock = new FastForwardClock();
  let azurite: Azurite;
  let host: FunctionHost;

  beforeAll(async () => {
    // The app must load before anything registers functions (see loadFunctionApp.ts).
    const app = await loadFunctionApp(RELEASE_APP);
    azurite = await Azurite.start();
    host = await FunctionHost.start({ app, storageConnectionString: azurite.connectionString, clock });
  });

  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  it('skips the jobs of a failed clusters wave, still deploys the files, and fails the release', async () => {
    const id = 'r-cluster-fails';
    activityScript.set(id, {
      inspect: { counts: { initScripts: 1, clusters: 1, files: filesIn(3), jobs: 2 }, prune: true },
      waves: {
        'dev:clusters': {
          done: 0,
          failed: 1,
          failures: [{ key: 'clusters.Small', message: 'INVALID_STATE: cluster is PENDING' }],
          touchedClusterIds: [],
        },
      },
    });
    await startRelease(host, releaseInput(id, ['dev', 'qa']));
    const output = await finished(host, id);

    // The files batches ran (they do not depend on clusters); jobs, lifecycle and prune did not.
    expect(scheduledCalls(host.durable.history(`${id}:dev`))).toEqual([
      'provisionEnvironment:dev',
      'applyWave:dev:initScripts',
      'applyWave:dev:clusters',
      ...fileBatches('dev', 3),
    ]);
    const devHistory = host.durable.history(`${id}:dev`);
    expect(host.durable.status(`${id}:dev`)?.output).toEqual({
      done: 1 + filesIn(3),
      failed: 1,
      skipped: 2,
      failures: [
        { key: 'clusters.Small', message: 'INVALID_STATE: cluster is PENDING' },
        { key: 'jobs', message: 'skipped: a cluster, policy or notebook it may use failed to deploy' },
      ],
      created: [],
      // The waves that ran, each from the episode that scheduled it to the one that went on (or ended).
      timings: {
        provision: span(devHistory, 'provisionEnvironment:dev', 'applyWave:dev:initScripts'),
        waves: [
          { wave: 'initScripts', ...span(devHistory, 'applyWave:dev:initScripts', 'applyWave:dev:clusters') },
          { wave: 'clusters', ...span(devHistory, 'applyWave:dev:clusters', 'applyWave:dev:files:0') },
          { wave: 'files', ...span(devHistory, 'applyWave:dev:files:0') },
        ],
      },
    } satisfies DeployEnvironmentResult);

    expect(output.state).toBe('failed');
    expect(output.message).toBe('dev failed; re-run the release to complete it');
    expect(output.stages.map((s) => s.state)).toEqual(['failed', 'skipped']);
    expect(stageOf(output, 'dev')).toMatchObject({
      outcome: { done: 1 + filesIn(3), failed: 1, skipped: 2 },
      message:
        'clusters.Small: INVALID_STATE: cluster is PENDING; ' +
        'jobs: skipped: a cluster, policy or notebook it may use failed to deploy',
    });
    // The lock is given back and qa is never planned.
    expect(schedule(host.durable.history(id)).slice(-3)).toEqual([
      `SubOrchestrationInstanceCreated#3 ${ORCHESTRATIONS.deployEnvironment} ${id}:dev`,
      'TaskScheduled#4 releaseEnvironment:dev:applying',
      'TaskScheduled#5 notify:dev:failed',
    ]);
    expect(activityScript.calls(id).some((c) => c.input.environment === 'qa')).toBe(false);
    expectDeterministic(host);
  });

  it('retries a files batch that failed transiently after the policy pause, and succeeds', async () => {
    const id = 'r-transient';
    activityScript.set(id, {
      inspect: { counts: { initScripts: 1, clusters: 1, files: filesIn(3), jobs: 1 }, prune: false },
      throwTimes: { 'applyWave:dev:files:1': 1 },
    });
    await startRelease(host, releaseInput(id, ['dev']));
    const child = `${id}:dev`;

    // Batches are #3..#5; the failed attempt of batch 1 (#4) is followed by the retry timer (#6).
    await until(() => outline(host.durable.history(child)).includes('TimerCreated#6'));
    const failure = host.durable.history(child).find((e) => e.EventType === EventType.TaskFailed);
    expect(failure?.Reason).toBe(
      "Activity function 'applyWave' failed: transient failure 1 of applyWave:dev:files:1",
    );
    const pause = host.durable.history(child).find((e) => e.EventType === EventType.TimerCreated);
    // retryPolicy(): the first retry comes 5 s after the failure.
    expect(Date.parse(pause?.FireAt ?? '') - Date.parse(pause?.Timestamp ?? '')).toBe(5_000);
    expect(activityScript.count(id, 'applyWave:dev:files:1')).toBe(1);
    clock.advance(5_000);
    const output = await finished(host, id);

    expect(output.state).toBe('succeeded');
    expect(stageOf(output, 'dev')?.outcome).toEqual({
      done: 1 + 1 + filesIn(3) + 1 + 1,
      failed: 0,
      skipped: 0,
    });
    const retry = [
      'TaskScheduled#4 applyWave:dev:files:1',
      'TaskFailed->4',
      'TimerCreated#6',
      'TimerFired->6',
      'TaskScheduled#7 applyWave:dev:files:1',
      'TaskCompleted->7',
    ];
    expect(only(outline(host.durable.history(child)), retry)).toEqual(retry);
    // The retried batch ran twice, every other call once; the waves after the fan-out come after the retry.
    expect(scheduledCalls(host.durable.history(child))).toEqual([
      'provisionEnvironment:dev',
      'applyWave:dev:initScripts',
      'applyWave:dev:clusters',
      ...fileBatches('dev', 3),
      'applyWave:dev:files:1',
      'applyWave:dev:jobs',
      'applyWave:dev:lifecycle',
    ]);
    // Provision and each wave in the order they ran, on the orchestration's clock; the files wave spans its
    // batch set, retry pause included; deployRelease copies them into the stage's phases for the timeline.
    const history = host.durable.history(child);
    const timings = {
      provision: span(history, 'provisionEnvironment:dev', 'applyWave:dev:initScripts'),
      waves: [
        { wave: 'initScripts', ...span(history, 'applyWave:dev:initScripts', 'applyWave:dev:clusters') },
        { wave: 'clusters', ...span(history, 'applyWave:dev:clusters', 'applyWave:dev:files:0') },
        { wave: 'files', ...span(history, 'applyWave:dev:files:0', 'applyWave:dev:jobs') },
        { wave: 'jobs', ...span(history, 'applyWave:dev:jobs', 'applyWave:dev:lifecycle') },
        { wave: 'lifecycle', ...span(history, 'applyWave:dev:lifecycle') },
      ],
    };
    expect((host.durable.status(child)?.output as DeployEnvironmentResult).timings).toEqual(timings);
    const files = timings.waves[2];
    expect(Date.parse(files?.finishedAt ?? '') - Date.parse(files?.startedAt ?? '')).toBeGreaterThanOrEqual(
      5_000,
    );
    // The published status leaves out each wave start that is the end of the span before it (compactStatus.ts);
    // the timeline reads every span back as deployEnvironment timed it.
    expect(applySpans(stageOf(output, 'dev')?.phases ?? {})).toEqual([
      { label: 'provision', time: timings.provision },
      ...timings.waves.map(({ wave, ...time }) => ({ label: wave, time })),
    ]);
    const apply = stageOf(output, 'dev')?.phases?.apply;
    expect(Date.parse(timings.provision.startedAt)).toBeGreaterThanOrEqual(
      Date.parse(apply?.startedAt ?? ''),
    );
    expect(Date.parse(timings.waves[4]?.finishedAt ?? '')).toBeLessThanOrEqual(
      Date.parse(apply?.finishedAt ?? ''),
    );
    expect(activityScript.count(id, 'applyWave:dev:files:1')).toBe(2);
    expect(activityScript.count(id, 'applyWave:dev:files:0')).toBe(1);
    expect(activityScript.count(id, 'applyWave:dev:files:2')).toBe(1);
    expectDeterministic(host);
  });

  it('keeps the history of a 1,000-file environment well under 500 events', async () => {
    const id = 'r-history-size';
    const counts = { initScripts: 5, clusters: 3, files: 1_000, jobs: 20 };
    activityScript.set(id, { inspect: { counts, prune: true } });
    await startRelease(host, releaseInput(id, ['dev']));
    const output = await finished(host, id);
    expect(output.state).toBe('succeeded');

    const child = `${id}:dev`;
    const batches = Math.ceil(counts.files / FILES_BATCH_SIZE);
    expect(batches).toBe(4);
    expect(scheduledCalls(host.durable.history(child))).toEqual([
      'provisionEnvironment:dev',
      'applyWave:dev:initScripts',
      'applyWave:dev:clusters',
      ...fileBatches('dev', batches),
      'applyWave:dev:jobs',
      'applyWave:dev:lifecycle',
      'applyWave:dev:prune',
    ]);
    const lifecycle = host.durable.history(child).find((e) => e.Input?.includes('"wave":"lifecycle"'));
    expect(JSON.parse(lifecycle?.Input ?? '{}')).toMatchObject({ clusterIds: [TOUCHED_CLUSTER] });

    const events = host.durable.history(child).length;
    const parentEvents = host.durable.history(id).length;
    console.log(
      `history of a ${counts.files}-file environment (${batches} batches): ${events} events`,
      host.durable.eventCounts(child),
      `; release: ${parentEvents} events`,
      host.durable.eventCounts(id),
    );
    expect(events).toBeLessThan(100);
    expect(parentEvents).toBeLessThan(100);
    expectDeterministic(host);
  });

  describe('waves the plan has nothing for', () => {
    it('runs only the waves the plan names, and counts the items of the others done', async () => {
      const id = 'r-plan-waves';
      // A one-notebook push: the plan writes in the files wave only.
      activityScript.set(id, { plan: { changes: 1, waves: ['files'] } });
      await startRelease(host, releaseInput(id, ['dev']));
      const output = await finished(host, id);
      expect(output.state).toBe('succeeded');
      expect(scheduledCalls(host.durable.history(`${id}:dev`))).toEqual([
        'provisionEnvironment:dev',
        'applyWave:dev:files:0',
      ]);
      // 1 init script, 1 cluster, 10 files and 1 job, all in place (DEFAULT_COUNTS).
      expect(stageOf(output, 'dev')?.outcome).toEqual({ done: 13, failed: 0, skipped: 0 });
      expectDeterministic(host);
    });

    it("carries a wave's notice (a directory import that fell back to per file) into the stage", async () => {
      const id = 'r-notice';
      const notice = 'directory import fell back to per-file imports for 10 notebook(s) in dev: refused';
      activityScript.set(id, { waves: { 'dev:files:0': { notices: [notice] } } });
      await startRelease(host, releaseInput(id, ['dev']));
      const output = await finished(host, id);
      expect(output.state).toBe('succeeded');
      expect(stageOf(output, 'dev')?.notices).toEqual([notice]);
      expectDeterministic(host);
    });

    it('provisions nothing when the plan has just found the workspace', async () => {
      const id = 'r-plan-workspace';
      activityScript.set(id, { plan: { changes: 1, waves: ['files'], workspaceExists: true } });
      await startRelease(host, releaseInput(id, ['dev']));
      const output = await finished(host, id);
      expect(output.state).toBe('succeeded');
      expect(scheduledCalls(host.durable.history(`${id}:dev`))).toEqual(['applyWave:dev:files:0']);
      expect(stageOf(output, 'dev')?.phases?.provision).toBeUndefined();
      expectDeterministic(host);
    });

    it('provisions and runs every wave after an approval, whatever the plan found', async () => {
      const id = 'r-plan-approved';
      activityScript.set(id, { plan: { changes: 1, waves: ['files'], workspaceExists: true } });
      await startRelease(host, releaseInput(id, ['qa'], { qa: { required: true, timeoutInHours: 72 } }));
      await waitingAt(host, id, 'qa');
      await clientFor(host).raiseEvent(id, approvalEventName('qa'), {
        decision: 'approve',
        approver: 'alice',
        decidedAt: '2026-11-25T10:00:00.000Z',
      });
      expect((await finished(host, id)).state).toBe('succeeded');
      // The plan may be hours old: every wave checks its objects against it, as before.
      expect(scheduledCalls(host.durable.history(`${id}:qa`))).toEqual(everyStep('qa'));
      expectDeterministic(host);
    });

    it('runs every wave with items when the plan does not say (releases recorded before it)', async () => {
      const id = 'r-plan-no-waves';
      activityScript.set(id, {});
      await startRelease(host, releaseInput(id, ['dev']));
      expect((await finished(host, id)).state).toBe('succeeded');
      expect(scheduledCalls(host.durable.history(`${id}:dev`))).toEqual(everyStep('dev'));
      expectDeterministic(host);
    });
  });
});

describe('a host killed in the middle of the files fan-out', () => {
  const clock = new FastForwardClock();
  let azurite: Azurite;
  let hosts: FunctionHost[] = [];

  beforeAll(async () => {
    azurite = await Azurite.start();
  });

  afterAll(async () => {
    for (const host of hosts) await host.stop();
    hosts = [];
    await azurite?.stop();
  });

  const startHost = async (): Promise<FunctionHost> => {
    const app = await loadFunctionApp(RELEASE_APP);
    const host = await FunctionHost.start({ app, storageConnectionString: azurite.connectionString, clock });
    hosts.push(host);
    return host;
  };

  it('resumes on a new host, re-running only the batch that was in flight', async () => {
    const id = 'r-crash';
    const child = `${id}:dev`;
    const batches = 4;
    activityScript.set(id, {
      inspect: { counts: { initScripts: 1, clusters: 1, files: filesIn(batches), jobs: 1 }, prune: true },
    });
    const blocked = activityScript.gate(id, 'applyWave:dev:files:2');

    const first = await startHost();
    await startRelease(first, releaseInput(id, ['dev']));
    await blocked.reached;
    // provision #0, initScripts #1, clusters #2, files #3..#6: all but batch 2 (#5) have completed.
    await until(() =>
      ['TaskCompleted->3', 'TaskCompleted->4', 'TaskCompleted->6'].every((line) =>
        outline(first.durable.history(child)).includes(line),
      ),
    );
    expectDeterministic(first);
    await first.stop();

    const second = await startHost();
    expect(second.durable.status(id)?.runtimeStatus).toBe('Running');
    expect(second.durable.status(child)?.runtimeStatus).toBe('Running');
    // At least once: the batch that was running when the host died runs again on the new host.
    await until(() => activityScript.count(id, 'applyWave:dev:files:2') === 2);
    blocked.open();
    const output = await finished(second, id);

    expect(output.state).toBe('succeeded');
    expect(stageOf(output, 'dev')?.outcome).toEqual({
      done: 1 + 1 + filesIn(batches) + 1 + 1,
      failed: 0,
      skipped: 0,
    });
    // Completed work is not repeated: each call once, except the interrupted batch.
    const counts = new Map<string, number>();
    for (const call of activityScript.calls(id)) counts.set(call.key, (counts.get(call.key) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({
      inspectBundle: 1,
      'planEnvironment:dev': 1,
      'claimEnvironment:dev:applying': 1,
      'provisionEnvironment:dev': 1,
      'applyWave:dev:initScripts': 1,
      'applyWave:dev:clusters': 1,
      'applyWave:dev:files:0': 1,
      'applyWave:dev:files:1': 1,
      'applyWave:dev:files:2': 2,
      'applyWave:dev:files:3': 1,
      'applyWave:dev:jobs': 1,
      'applyWave:dev:lifecycle': 1,
      'applyWave:dev:prune': 1,
      'releaseEnvironment:dev:applying': 1,
      'notify:dev:succeeded': 1,
    });
    // One sub-orchestration, started once; one completion per task (the dead host's late result is dropped).
    expect(second.durable.instances({ instanceIdPrefix: `${id}:` }).map((s) => s.instanceId)).toEqual([
      child,
    ]);
    expect(second.durable.eventCounts(id).SubOrchestrationInstanceCreated).toBe(1);
    expect(second.durable.eventCounts(child).ExecutionStarted).toBe(1);
    expect(outline(second.durable.history(child)).filter((line) => line === 'TaskCompleted->5')).toHaveLength(
      1,
    );
    expect(second.durable.eventCounts(child).TaskScheduled).toBe(3 + batches + 3);
    expectDeterministic(second);
  });
});
