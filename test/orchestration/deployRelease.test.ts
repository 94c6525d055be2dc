// Orchestration tests: the real deployRelease / deployEnvironment on the sandbox Functions host (real
// durable-functions replay engine, histories in Azurite, a replay-from-scratch check after every episode),
// with scripted activities. Approval, rejection, expiry, supersession, invalid bundles, the apply lock, and
// permanent failures returned as data by any step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvalEventName,
  ENVIRONMENT_FREE_EVENT,
  SUPERSEDED_EVENT,
  type ApprovalEvent,
} from '../../src/release/ApprovalEvent';
import { ORCHESTRATIONS, type PermanentFailure } from '../../src/activities/contracts';
import { Azurite } from '../emulator/Azurite';
import { FastForwardClock } from '../sandbox/host/FastForwardClock';
import { FunctionHost } from '../sandbox/host/FunctionHost';
import { loadFunctionApp } from '../sandbox/host/loadFunctionApp';
import { ActionType } from '../sandbox/host/OrchestratorAction';
import { activityScript, DEFAULT_COUNTS, TOUCHED_CLUSTER } from './fixtures/activityScript';
import {
  actionSchedule,
  clientFor,
  customStatusOf,
  DAY_IN_MS,
  expectDeterministic,
  finished,
  flatten,
  from,
  historySchedule,
  HOUR_IN_MS,
  RELEASE_APP,
  releaseInput,
  replay,
  schedule,
  scheduledCalls,
  stageOf,
  startRelease,
  timersCreated,
  timersFired,
  until,
  waitingAt,
} from './fixtures/releaseHarness';

const SECRET: PermanentFailure = {
  code: 'SecretNotFound',
  message: 'azure: Key Vault KeyVault-MyProject-Qa has no secret "databricks-dev-ops-client-secret".',
  fix: 'az keyvault secret set --vault-name KeyVault-MyProject-Qa --name databricks-dev-ops-client-secret --value <value>',
};

describe('deployRelease on the sandbox host', () => {
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

  const approve = (approver: string, decidedAt: string): ApprovalEvent => ({
    decision: 'approve',
    approver,
    decidedAt,
  });
  const raise = (releaseId: string, name: string, payload: unknown): Promise<void> =>
    clientFor(host).raiseEvent(releaseId, name, payload);
  const history = (id: string): ReturnType<FunctionHost['durable']['history']> => host.durable.history(id);
  /** When the waiting claim was granted: the time of the episode that scheduled the approval notice. */
  const granted = (id: string, env: string): string =>
    history(id).find((e) => e.Name === 'notify' && e.Input?.includes(`"environment":"${env}"`))?.Timestamp ??
    '';

  it('deploys dev, waits for the qa approval, deploys qa once alice approves, and replays the same', async () => {
    const id = 'r-approve';
    await startRelease(host, releaseInput(id, ['dev', 'qa'], { qa: { required: true, timeoutInHours: 72 } }));

    const waiting = await waitingAt(host, id, 'qa');
    const approvalTimer = timersCreated(history(id))[0];
    expect(waiting.approval).toEqual({ required: true, expiresAt: approvalTimer?.FireAt });
    // The link expires timeoutInHours after the claim was granted (the episode that asked for the notice).
    expect(Date.parse(waiting.approval?.expiresAt ?? '') - Date.parse(granted(id, 'qa'))).toBe(
      72 * HOUR_IN_MS,
    );
    expect(stageOf(customStatusOf(host, id), 'dev')?.state).toBe('succeeded');

    const decidedAt = '2026-11-25T10:00:00.000Z';
    // Alice takes 70 s to decide: waiting, not working.
    expect(waiting.phases?.approval).toEqual({ startedAt: granted(id, 'qa') });
    clock.advance(70_000);
    await raise(id, approvalEventName('qa'), approve('alice', decidedAt));
    const output = await finished(host, id);

    // The stage's phases keep waiting and working apart, in order, from the orchestration's clock.
    const phases = stageOf(output, 'qa')?.phases;
    const at = (time: string | undefined): number => Date.parse(time ?? '');
    const { plan, approval, apply } = phases ?? {};
    expect(phases?.lock).toBeUndefined();
    expect(at(plan?.startedAt)).toBe(at(stageOf(output, 'qa')?.startedAt));
    expect(at(plan?.finishedAt)).toBeLessThanOrEqual(at(approval?.startedAt));
    expect(at(approval?.finishedAt) - at(approval?.startedAt)).toBeGreaterThanOrEqual(70_000);
    expect(at(apply?.startedAt)).toBeGreaterThanOrEqual(at(approval?.finishedAt));
    expect(at(apply?.finishedAt) - at(apply?.startedAt)).toBeLessThan(70_000);
    expect(at(apply?.finishedAt)).toBeLessThanOrEqual(at(stageOf(output, 'qa')?.finishedAt));
    expect(stageOf(output, 'dev')?.phases?.approval).toBeUndefined();

    expect(output.state).toBe('succeeded');
    expect(output.stages.map((s) => [s.environment, s.state])).toEqual([
      ['dev', 'succeeded'],
      ['qa', 'succeeded'],
    ]);
    expect(stageOf(output, 'qa')?.approval).toEqual({
      required: true,
      expiresAt: waiting.approval?.expiresAt,
      decision: 'approve',
      approver: 'alice',
      decidedAt,
    });
    // Every item of every wave, plus the lifecycle step of the one touched cluster.
    const { initScripts, clusters, files, jobs } = DEFAULT_COUNTS;
    const done = initScripts + clusters + files + jobs + 1;
    expect(stageOf(output, 'qa')?.outcome).toEqual({ done, failed: 0, skipped: 0 });

    expect(schedule(history(id))).toEqual([
      'TaskScheduled#0 inspectBundle',
      // Dev has no gate: it takes the apply lock, then plans under it.
      'TaskScheduled#1 claimEnvironment:dev:applying',
      'TaskScheduled#2 planEnvironment:dev',
      `SubOrchestrationInstanceCreated#3 ${ORCHESTRATIONS.deployEnvironment} ${id}:dev`,
      'TaskScheduled#4 releaseEnvironment:dev:applying',
      'TaskScheduled#5 notify:dev:succeeded',
      'TaskScheduled#6 planEnvironment:qa',
      'TaskScheduled#7 claimEnvironment:qa:waiting',
      'TaskScheduled#8 notify:qa:approvalNeeded',
      'TimerCreated#9',
      'EventRaised approval:qa',
      'TaskScheduled#10 releaseEnvironment:qa:waiting',
      'TaskScheduled#11 claimEnvironment:qa:applying',
      `SubOrchestrationInstanceCreated#12 ${ORCHESTRATIONS.deployEnvironment} ${id}:qa`,
      'TaskScheduled#13 releaseEnvironment:qa:applying',
      'TaskScheduled#14 notify:qa:succeeded',
    ]);
    // The approval won the race: its timer never fired.
    expect(timersFired(history(id))).toEqual([]);

    // Each environment is one sub-orchestration with the waves in order, the files in one batch.
    for (const env of ['dev', 'qa']) {
      expect(scheduledCalls(history(`${id}:${env}`))).toEqual([
        `provisionEnvironment:${env}`,
        `applyWave:${env}:initScripts`,
        `applyWave:${env}:clusters`,
        `applyWave:${env}:files:0`,
        `applyWave:${env}:jobs`,
        `applyWave:${env}:lifecycle`,
      ]);
    }
    const lifecycle = history(`${id}:qa`).find(
      (e) => e.Name === 'applyWave' && e.Input?.includes('lifecycle'),
    );
    expect(JSON.parse(lifecycle?.Input ?? '{}')).toMatchObject({ clusterIds: [TOUCHED_CLUSTER] });
    const claim = history(id).find((e) => e.EventId === 7);
    expect(JSON.parse(claim?.Input ?? '{}')).toEqual({
      releaseId: id,
      environment: 'qa',
      phase: 'waiting',
      startedAt: output.startedAt,
    });

    // Replayed from scratch, every event played (as after a host restart), each instance yields the same
    // actions and output.
    for (const instanceId of [id, `${id}:dev`, `${id}:qa`]) {
      const outcome = await replay(host, instanceId);
      if (outcome.kind !== 'state') throw new Error(`replay of ${instanceId} failed: ${outcome.message}`);
      expect(outcome.state.isDone).toBe(true);
      expect(outcome.state.output).toEqual(host.durable.status(instanceId)?.output);
      // One action per scheduling event, in the same order, with the same inputs and fire times.
      expect(actionSchedule(outcome.state.actions)).toEqual(historySchedule(history(instanceId)));
    }
    const outcome = await replay(host, id);
    const race = outcome.state?.actions.find((a) => a.actionType === ActionType.WhenAny);
    expect(race?.compoundActions?.map((a) => a.actionType)).toEqual([
      ActionType.WaitForExternalEvent,
      ActionType.WaitForExternalEvent,
      ActionType.CreateTimer,
    ]);
    // The losing timer is cancelled.
    expect(
      flatten(race?.compoundActions ?? []).find((a) => a.actionType === ActionType.CreateTimer),
    ).toMatchObject({ isCanceled: true });
    expectDeterministic(host);
  });

  it('stops at a rejection: qa is not deployed and prod is skipped', async () => {
    const id = 'r-reject';
    await startRelease(
      host,
      releaseInput(id, ['dev', 'qa', 'prod'], { qa: { required: true, timeoutInHours: 24 } }),
    );
    await waitingAt(host, id, 'qa');
    await raise(id, approvalEventName('qa'), {
      decision: 'reject',
      approver: 'bob',
      comment: 'not this week',
      decidedAt: '2026-11-25T11:00:00.000Z',
    });
    const output = await finished(host, id);

    expect(output.state).toBe('rejected');
    expect(output.stages.map((s) => [s.environment, s.state])).toEqual([
      ['dev', 'succeeded'],
      ['qa', 'rejected'],
      ['prod', 'skipped'],
    ]);
    expect(output.message).toBe('rejected by bob: not this week');
    expect(stageOf(output, 'qa')?.approval).toMatchObject({ decision: 'reject', approver: 'bob' });
    expect(from(schedule(history(id)), 'planEnvironment:qa')).toEqual([
      'TaskScheduled#6 planEnvironment:qa',
      'TaskScheduled#7 claimEnvironment:qa:waiting',
      'TaskScheduled#8 notify:qa:approvalNeeded',
      'TimerCreated#9',
      'EventRaised approval:qa',
      'TaskScheduled#10 releaseEnvironment:qa:waiting',
      'TaskScheduled#11 notify:qa:rejected',
    ]);
    expect(host.durable.instances({ instanceIdPrefix: `${id}:` }).map((s) => s.instanceId)).toEqual([
      `${id}:dev`,
    ]);
    expectDeterministic(host);
  });

  it('expires after timeoutInHours, waiting in segments of at most six days', async () => {
    const id = 'r-expire';
    await startRelease(
      host,
      releaseInput(id, ['dev', 'qa'], { qa: { required: true, timeoutInHours: 240 } }),
    );
    const waiting = await waitingAt(host, id, 'qa');
    const expiresAt = waiting.approval?.expiresAt ?? '';

    const [first] = timersCreated(history(id));
    expect(Date.parse(first?.FireAt ?? '') - Date.parse(first?.Timestamp ?? '')).toBe(6 * DAY_IN_MS);
    expect(Date.parse(expiresAt) - Date.parse(granted(id, 'qa'))).toBe(240 * HOUR_IN_MS);

    clock.advance(6 * DAY_IN_MS);
    await until(() => timersCreated(history(id)).length === 2);
    const second = timersCreated(history(id))[1];
    // The second segment ends exactly at the expiry, and the release still waits.
    expect(second?.FireAt).toBe(expiresAt);
    expect(Date.parse(second?.FireAt ?? '') - Date.parse(second?.Timestamp ?? '')).toBeLessThan(
      6 * DAY_IN_MS,
    );
    expect(host.durable.status(id)?.runtimeStatus).toBe('Running');
    expect(stageOf(customStatusOf(host, id), 'qa')?.state).toBe('waiting');

    clock.advance(4 * DAY_IN_MS);
    const output = await finished(host, id);
    expect(output.state).toBe('expired');
    expect(stageOf(output, 'qa')).toMatchObject({ state: 'expired', message: 'no decision within 240 h' });
    expect(from(schedule(history(id)), 'planEnvironment:qa')).toEqual([
      'TaskScheduled#6 planEnvironment:qa',
      'TaskScheduled#7 claimEnvironment:qa:waiting',
      'TaskScheduled#8 notify:qa:approvalNeeded',
      'TimerCreated#9',
      'TimerFired->9',
      'TimerCreated#10',
      'TimerFired->10',
      'TaskScheduled#11 releaseEnvironment:qa:waiting',
      'TaskScheduled#12 notify:qa:expired',
    ]);
    expect(host.durable.status(`${id}:qa`)).toBeUndefined();
    expectDeterministic(host);
  });

  describe('supersession', () => {
    it('ends a waiting release when a newer release supersedes it in this environment', async () => {
      const id = 'r-superseded';
      await startRelease(
        host,
        releaseInput(id, ['dev', 'qa'], { qa: { required: true, timeoutInHours: 72 } }),
      );
      await waitingAt(host, id, 'qa');
      await raise(id, SUPERSEDED_EVENT, { by: 'r2', environment: 'qa' });
      const output = await finished(host, id);

      expect(output.state).toBe('superseded');
      expect(stageOf(output, 'qa')).toMatchObject({
        state: 'superseded',
        message: 'superseded by release r2',
      });
      expect(from(schedule(history(id)), 'claimEnvironment:qa:waiting')).toEqual([
        'TaskScheduled#7 claimEnvironment:qa:waiting',
        'TaskScheduled#8 notify:qa:approvalNeeded',
        'TimerCreated#9',
        'EventRaised superseded',
        'TaskScheduled#10 releaseEnvironment:qa:waiting',
        'TaskScheduled#11 notify:qa:superseded',
      ]);
      expect(host.durable.status(`${id}:qa`)).toBeUndefined();
      expectDeterministic(host);
    });

    it('ignores a stale notice for another environment and keeps waiting', async () => {
      const id = 'r-stale-notice';
      await startRelease(
        host,
        releaseInput(id, ['dev', 'qa'], { qa: { required: true, timeoutInHours: 72 } }),
      );
      const waiting = await waitingAt(host, id, 'qa');
      await raise(id, SUPERSEDED_EVENT, { by: 'r2', environment: 'dev' });
      // The wait starts again with a new timer for the same deadline.
      await until(() => timersCreated(history(id)).length === 2);
      expect(timersCreated(history(id)).map((t) => t.FireAt)).toEqual([
        waiting.approval?.expiresAt,
        waiting.approval?.expiresAt,
      ]);
      expect(host.durable.status(id)?.runtimeStatus).toBe('Running');
      expect(stageOf(customStatusOf(host, id), 'qa')?.state).toBe('waiting');

      await raise(id, approvalEventName('qa'), approve('carol', '2026-11-25T12:00:00.000Z'));
      const output = await finished(host, id);
      expect(output.state).toBe('succeeded');
      expect(stageOf(output, 'qa')?.approval?.approver).toBe('carol');
      expect(from(schedule(history(id)), 'claimEnvironment:qa:waiting').slice(0, 6)).toEqual([
        'TaskScheduled#7 claimEnvironment:qa:waiting',
        'TaskScheduled#8 notify:qa:approvalNeeded',
        'TimerCreated#9',
        'EventRaised superseded',
        'TimerCreated#10',
        'EventRaised approval:qa',
      ]);
      expect(timersFired(history(id))).toEqual([]);
      expectDeterministic(host);
    });

    /**
     * A newer release that claims the environment right after this one (while this one still sends its
     * approval notice) raises the notice before this release waits for it.
     */
    const noticeBeforeTheWait = async (id: string, environments: string[]): Promise<void> => {
      const approvals = Object.fromEntries(
        environments.slice(1).map((e) => [e, { required: true, timeoutInHours: 72 }]),
      );
      const notice = activityScript.gate(id, 'notify:prod:approvalNeeded');
      await startRelease(host, releaseInput(id, environments, approvals));
      if (environments.includes('qa')) {
        await waitingAt(host, id, 'qa');
        await raise(id, approvalEventName('qa'), approve('alice', '2026-11-25T12:00:00.000Z'));
      }
      await notice.reached;
      await raise(id, SUPERSEDED_EVENT, { by: 'r2', environment: 'prod' });
      await until(() => schedule(history(id)).includes('EventRaised superseded'));
      notice.open();
      await until(() =>
        from(schedule(history(id)), 'notify:prod:approvalNeeded').some(
          (l) => l.startsWith('TimerCreated') || l.endsWith('releaseEnvironment:prod:waiting'),
        ),
      );
    };

    it('keeps a notice that arrives before the wait begins for that wait', async () => {
      const id = 'r-early-notice';
      await noticeBeforeTheWait(id, ['dev', 'prod']);
      const output = await finished(host, id);
      // The race is decided in the episode that starts it: the timer is cancelled as it is created. (Read
      // once the release has ended: while it runs, the next episode may already be in the history.)
      expect(from(schedule(history(id)), 'claimEnvironment:prod:waiting')).toEqual([
        'TaskScheduled#7 claimEnvironment:prod:waiting',
        'TaskScheduled#8 notify:prod:approvalNeeded',
        'EventRaised superseded',
        'TimerCreated#9',
        'TaskScheduled#10 releaseEnvironment:prod:waiting',
        'TaskScheduled#11 notify:prod:superseded',
      ]);
      expect(output.state).toBe('superseded');
      expect(stageOf(output, 'prod')?.message).toBe('superseded by release r2');
      expectDeterministic(host);
    });

    // Regression: each gate used to leave its own `superseded` waiter behind, and durable-functions hands an
    // event to the latest waiter, so a notice arriving between gates was swallowed and the superseded
    // release stayed approvable. deployRelease now keeps one waiter per release and reads a notice that
    // completed between gates before racing.
    it('keeps that notice too after an earlier stage was approved (orphaned waiter)', async () => {
      const id = 'r-orphaned-waiter';
      try {
        await noticeBeforeTheWait(id, ['dev', 'qa', 'prod']);
        // The notice completed the release's waiter during notify: the gate ends without starting a timer.
        expect(from(schedule(history(id)), 'notify:prod:approvalNeeded').slice(1, 3)).toEqual([
          'EventRaised superseded',
          'TaskScheduled#18 releaseEnvironment:prod:waiting',
        ]);
        expect((await finished(host, id)).state).toBe('superseded');
      } finally {
        if (host.durable.status(id)?.runtimeStatus === 'Running') {
          await clientFor(host).terminate(id, 'test cleanup');
          await host.durable.waitFor(id, 'Terminated');
        }
      }
    });

    it('gives up at once when a newer release already waits for the environment', async () => {
      const id = 'r-older';
      activityScript.set(id, { claims: { 'qa:waiting': [{ granted: false, other: 'r9' }] } });
      await startRelease(
        host,
        releaseInput(id, ['dev', 'qa', 'prod'], { qa: { required: true, timeoutInHours: 72 } }),
      );
      const output = await finished(host, id);

      expect(output.state).toBe('superseded');
      expect(output.stages.map((s) => s.state)).toEqual(['succeeded', 'superseded', 'skipped']);
      expect(stageOf(output, 'qa')?.message).toBe('a newer release (r9) waits for this environment');
      // No wait, no timer, and nothing to give back: the claim was not granted.
      expect(from(schedule(history(id)), 'planEnvironment:qa')).toEqual([
        'TaskScheduled#6 planEnvironment:qa',
        'TaskScheduled#7 claimEnvironment:qa:waiting',
        'TaskScheduled#8 notify:qa:superseded',
      ]);
      expectDeterministic(host);
    });
  });

  it('stops at an invalid bundle before planning anything', async () => {
    const id = 'r-invalid';
    activityScript.set(id, {
      inspect: { valid: false, errorCount: 2, diagnostics: ['jobs/a.json: bad', 'clusters/b.json: bad'] },
    });
    await startRelease(host, releaseInput(id, ['dev', 'qa']));
    const output = await finished(host, id);

    expect(output.state).toBe('invalid');
    expect(output.message).toBe('2 problem(s) in the bundle; nothing was deployed');
    expect(output.diagnostics).toEqual({ count: 2, items: ['jobs/a.json: bad', 'clusters/b.json: bad'] });
    expect(customStatusOf(host, id)).toEqual(output);
    expect(output.stages.map((s) => s.state)).toEqual(['skipped', 'skipped']);
    expect(schedule(history(id))).toEqual(['TaskScheduled#0 inspectBundle']);
    expect(activityScript.calls(id).map((c) => c.key)).toEqual(['inspectBundle']);
    expectDeterministic(host);
  });

  it('keeps the status of a bundle with long diagnostics under 16 KB: the host fails any over it', async () => {
    const id = 'r-invalid-long';
    // Twenty 1,000-character diagnostics, 40 KB of UTF-16 if they all went into the status.
    const diagnostics = Array.from({ length: 20 }, (_, i) => `notebooks/n${i}.sql: ${'é'.repeat(1000)}`);
    activityScript.set(id, { inspect: { valid: false, errorCount: 20, diagnostics } });
    await startRelease(host, releaseInput(id, ['dev', 'qa', 'prod']));
    const output = await finished(host, id);
    expect(output.state).toBe('invalid');
    const published = customStatusOf(host, id);
    expect(JSON.stringify(published).length * 2).toBeLessThanOrEqual(12 * 1024);
    expect(published?.diagnostics?.count).toBe(20);
    expect(published?.diagnostics?.items.length).toBeGreaterThan(0);
    expect(published?.diagnostics?.items[0]).toBe(`${diagnostics[0]?.slice(0, 299)}…`);
    expectDeterministic(host);
  });

  it('polls the apply lock every 30 s while another release holds the environment', async () => {
    const id = 'r-locked';
    const held = { granted: false, other: 'r0' };
    activityScript.set(id, { claims: { 'dev:applying': [held, held] } });
    await startRelease(host, releaseInput(id, ['dev']));

    for (const n of [1, 2]) {
      await until(() => timersCreated(history(id)).length === n);
      const timer = timersCreated(history(id))[n - 1];
      expect(Date.parse(timer?.FireAt ?? '') - Date.parse(timer?.Timestamp ?? '')).toBe(30_000);
      expect(host.durable.status(`${id}:dev`)).toBeUndefined();
      clock.advance(30_000);
    }
    const output = await finished(host, id);

    expect(output.state).toBe('succeeded');
    // The minute spent waiting for the other release is the lock phase; an ungated stage plans once it
    // holds the lock, then applies.
    const { plan, lock, apply } = stageOf(output, 'dev')?.phases ?? {};
    const at = (time: string | undefined): number => Date.parse(time ?? '');
    expect(at(lock?.finishedAt) - at(lock?.startedAt)).toBeGreaterThanOrEqual(60_000);
    expect(at(plan?.startedAt)).toBeGreaterThanOrEqual(at(lock?.finishedAt));
    expect(at(apply?.startedAt)).toBeGreaterThanOrEqual(at(plan?.finishedAt));
    expect(at(apply?.finishedAt) - at(apply?.startedAt)).toBeLessThan(60_000);
    expect(schedule(history(id))).toEqual([
      'TaskScheduled#0 inspectBundle',
      'TaskScheduled#1 claimEnvironment:dev:applying',
      'TimerCreated#2',
      'TimerFired->2',
      'TaskScheduled#3 claimEnvironment:dev:applying',
      'TimerCreated#4',
      'TimerFired->4',
      'TaskScheduled#5 claimEnvironment:dev:applying',
      'TaskScheduled#6 planEnvironment:dev',
      `SubOrchestrationInstanceCreated#7 ${ORCHESTRATIONS.deployEnvironment} ${id}:dev`,
      'TaskScheduled#8 releaseEnvironment:dev:applying',
      'TaskScheduled#9 notify:dev:succeeded',
    ]);
    expect(host.durable.eventCounts(id).TimerFired).toBe(2);
    expectDeterministic(host);
  });

  it('claims the apply lock again as soon as the holder gives it up (its wake-up), not at the next poll', async () => {
    const id = 'r-woken';
    activityScript.set(id, { claims: { 'dev:applying': [{ granted: false, other: 'r0' }] } });
    await startRelease(host, releaseInput(id, ['dev']));
    await until(() => timersCreated(history(id)).length === 1);
    await raise(id, ENVIRONMENT_FREE_EVENT, {});
    const output = await finished(host, id);

    expect(output.state).toBe('succeeded');
    // The clock never moved: the timer was cancelled, the second claim followed the wake-up.
    expect(host.durable.eventCounts(id).TimerFired ?? 0).toBe(0);
    expect(from(schedule(history(id)), 'claimEnvironment:dev:applying')).toEqual([
      'TaskScheduled#1 claimEnvironment:dev:applying',
      'TimerCreated#2',
      'EventRaised environmentFree',
      'TaskScheduled#3 claimEnvironment:dev:applying',
      'TaskScheduled#4 planEnvironment:dev',
      `SubOrchestrationInstanceCreated#5 ${ORCHESTRATIONS.deployEnvironment} ${id}:dev`,
      'TaskScheduled#6 releaseEnvironment:dev:applying',
      'TaskScheduled#7 notify:dev:succeeded',
    ]);
    expectDeterministic(host);
  });

  it('ends superseded, applying nothing, when a newer release applied or waits to apply there', async () => {
    const id = 'r-queued-older';
    activityScript.set(id, {
      claims: {
        'dev:applying': [
          { granted: false, other: 'r0' },
          { granted: false, superseded: true, other: 'r9' },
        ],
      },
    });
    await startRelease(host, releaseInput(id, ['dev', 'qa']));
    await until(() => timersCreated(history(id)).length === 1);
    clock.advance(30_000);
    const output = await finished(host, id);

    expect(output.state).toBe('superseded');
    expect(output.stages.map((s) => s.state)).toEqual(['superseded', 'skipped']);
    expect(stageOf(output, 'dev')?.message).toBe('superseded by release r9, which deploys to dev');
    expect(host.durable.status(`${id}:dev`)).toBeUndefined();
    // Queued, it planned nothing: the plan comes once the lock is held.
    expect(activityScript.count(id, 'planEnvironment:dev')).toBe(0);
    expect(from(schedule(history(id)), 'claimEnvironment:dev:applying')).toEqual([
      'TaskScheduled#1 claimEnvironment:dev:applying',
      'TimerCreated#2',
      'TimerFired->2',
      'TaskScheduled#3 claimEnvironment:dev:applying',
      'TaskScheduled#4 notify:dev:superseded',
    ]);
    expectDeterministic(host);
  });

  it('plans again when the workspace moved before an ungated apply, says so, and applies the new plan', async () => {
    const id = 'r-drift-nogate';
    activityScript.set(id, { driftTimes: { 'dev:clusters': 1 } });
    await startRelease(host, releaseInput(id, ['dev']));
    const output = await finished(host, id);

    expect(output.state).toBe('succeeded');
    const dev = stageOf(output, 'dev');
    expect(dev?.state).toBe('succeeded');
    expect(dev?.plans).toEqual({ planned: 'plan-dev-2', applied: 'plan-dev-2', replans: 1 });
    expect(dev?.drift).toEqual([
      { key: 'clusters.Small', was: 'id c-1 as planned', now: 'num_workers changed' },
    ]);
    expect(dev?.message).toBe(
      '1 object(s) changed in the workspace since the plan (clusters.Small); nothing was written to them: ' +
        'planned again and applied the new plan',
    );
    // Each apply is its own sub-orchestration, and applies the plan planned just before it.
    expect(schedule(history(id)).filter((line) => /planEnvironment|SubOrchestration/.test(line))).toEqual([
      'TaskScheduled#2 planEnvironment:dev',
      `SubOrchestrationInstanceCreated#3 ${ORCHESTRATIONS.deployEnvironment} ${id}:dev`,
      'TaskScheduled#6 planEnvironment:dev',
      `SubOrchestrationInstanceCreated#7 ${ORCHESTRATIONS.deployEnvironment} ${id}:dev:2`,
    ]);
    const planIds = activityScript
      .calls(id)
      .filter((c) => c.key === 'applyWave:dev:clusters')
      .map((c) => (c.input as { planId?: string }).planId);
    expect(planIds).toEqual(['plan-dev-1', 'plan-dev-2']);
    expectDeterministic(host);
  });

  it('fails the stage after three plans when the workspace keeps moving', async () => {
    const id = 'r-drift-forever';
    activityScript.set(id, { driftTimes: { 'dev:clusters': 99 } });
    await startRelease(host, releaseInput(id, ['dev', 'qa']));
    const output = await finished(host, id);

    expect(output.state).toBe('failed');
    expect(output.stages.map((s) => s.state)).toEqual(['failed', 'skipped']);
    expect(stageOf(output, 'dev')?.message).toContain('The workspace kept changing: planned 3 times');
    expect(activityScript.count(id, 'planEnvironment:dev')).toBe(3);
    expect(stageOf(output, 'dev')?.plans).toEqual({ planned: 'plan-dev-3', replans: 2 });
    expectDeterministic(host);
  });

  it('plans a ring target again when its workspace moved before its ungated apply, and applies the new plan', async () => {
    const id = 'r-drift-ring';
    activityScript.set(id, {
      driftTimes: { 'dev.neu:clusters': 1 },
      inspect: { rings: { dev: { targets: ['dev.weu', 'dev.neu'], parallel: 2 } } },
    });
    await startRelease(host, releaseInput(id, ['dev']));
    const output = await finished(host, id);

    expect(output.state).toBe('succeeded');
    const dev = stageOf(output, 'dev');
    expect(dev?.targets?.map((t) => [t.target, t.state])).toEqual([
      ['dev.weu', 'succeeded'],
      ['dev.neu', 'succeeded'],
    ]);
    expect(dev?.targets?.[1]?.message).toBe(
      '1 object(s) changed in the workspace since the plan (clusters.Small); nothing was written to them: ' +
        'planned again and applied the new plan',
    );
    // The moved target planned twice and applied each plan in an apply of its own; the canary once.
    expect(activityScript.count(id, 'planEnvironment:dev.weu')).toBe(1);
    expect(activityScript.count(id, 'planEnvironment:dev.neu')).toBe(2);
    const planIds = activityScript
      .calls(id)
      .filter((c) => c.key === 'applyWave:dev.neu:clusters')
      .map((c) => (c.input as { planId?: string }).planId);
    expect(planIds).toEqual(['plan-dev.neu-1', 'plan-dev.neu-2']);
    expect(host.durable.status(`${id}:dev.neu:2`)?.runtimeStatus).toBe('Completed');
    expectDeterministic(host);
  });

  it('fails a ring target whose workspace keeps moving after three plans; the next target never starts', async () => {
    const id = 'r-drift-ring-forever';
    activityScript.set(id, {
      driftTimes: { 'dev.weu:clusters': 99 },
      inspect: { rings: { dev: { targets: ['dev.weu', 'dev.neu'], parallel: 2 } } },
    });
    await startRelease(host, releaseInput(id, ['dev']));
    const output = await finished(host, id);

    expect(output.state).toBe('failed');
    const dev = stageOf(output, 'dev');
    expect(dev?.targets?.map((t) => t.state)).toEqual(['failed', 'skipped']);
    expect(dev?.targets?.[0]?.message).toContain('The workspace kept changing: planned 3 times');
    expect(activityScript.count(id, 'planEnvironment:dev.weu')).toBe(3);
    expect(activityScript.count(id, 'planEnvironment:dev.neu')).toBe(0);
    expectDeterministic(host);
  });

  it('asks again for the ring targets not yet deployed when a workspace moved after the approval, then completes', async () => {
    const id = 'r-drift-ring-gate';
    activityScript.set(id, {
      driftTimes: { 'prod.neu:clusters': 1 },
      inspect: { rings: { prod: { targets: ['prod.weu', 'prod.neu', 'prod.eus'], parallel: 2 } } },
    });
    await startRelease(host, releaseInput(id, ['prod'], { prod: { required: true, timeoutInHours: 72 } }));
    await until(() => customStatusOf(host, id)?.stages[0]?.state === 'waiting');
    expect(customStatusOf(host, id)?.stages[0]?.approval?.planId).toBe('plan-prod.weu-1');
    await raise(id, approvalEventName('prod'), approve('alice', '2026-01-01T00:00:00Z'));
    // The canary and prod.eus deploy; prod.neu moved after its approved plan: only it is planned and asked again.
    await until(
      () =>
        customStatusOf(host, id)?.stages[0]?.state === 'waiting' &&
        customStatusOf(host, id)?.stages[0]?.approval?.planId === 'plan-prod.neu-2',
    );
    const waiting = customStatusOf(host, id)?.stages[0];
    expect(waiting?.targets?.map((t) => [t.target, t.state])).toEqual([
      ['prod.weu', 'succeeded'],
      ['prod.neu', 'pending'],
      ['prod.eus', 'succeeded'],
    ]);
    expect(waiting?.message).toBe(
      'prod.neu: 1 object(s) changed in the workspace since the plan (clusters.Small); nothing was written to ' +
        'them: planned again; the new plan needs a new approval',
    );
    expect(activityScript.count(id, 'planEnvironment:prod.weu')).toBe(1);
    expect(activityScript.count(id, 'planEnvironment:prod.eus')).toBe(1);
    expect(activityScript.count(id, 'planEnvironment:prod.neu')).toBe(2);
    await raise(id, approvalEventName('prod'), approve('bob', '2026-01-01T01:00:00Z'));
    const output = await finished(host, id);

    expect(output.state).toBe('succeeded');
    const prod = stageOf(output, 'prod');
    expect(prod?.targets?.map((t) => [t.target, t.state])).toEqual([
      ['prod.weu', 'succeeded'],
      ['prod.neu', 'succeeded'],
      ['prod.eus', 'succeeded'],
    ]);
    expect(prod?.approval).toMatchObject({ approver: 'bob', planId: 'plan-prod.neu-2' });
    // The second round is its own target instance and apply; each apply of prod.neu applied the plan before it.
    expect(host.durable.status(`${id}:prod.neu:ring:2`)?.runtimeStatus).toBe('Completed');
    expect(host.durable.status(`${id}:prod.neu:r2`)?.runtimeStatus).toBe('Completed');
    const planIds = activityScript
      .calls(id)
      .filter((c) => c.key === 'applyWave:prod.neu:clusters')
      .map((c) => (c.input as { planId?: string }).planId);
    expect(planIds).toEqual(['plan-prod.neu-1', 'plan-prod.neu-2']);
    // The deployed targets were not applied again.
    expect(activityScript.calls(id).filter((c) => c.key === 'applyWave:prod.weu:clusters')).toHaveLength(1);
    expectDeterministic(host);
  });

  it('fails the ring after three rounds of plans when a workspace keeps moving after each approval', async () => {
    const id = 'r-drift-ring-gate-forever';
    activityScript.set(id, {
      driftTimes: { 'prod.neu:clusters': 99 },
      inspect: { rings: { prod: { targets: ['prod.weu', 'prod.neu'], parallel: 2 } } },
    });
    await startRelease(host, releaseInput(id, ['prod'], { prod: { required: true, timeoutInHours: 72 } }));
    for (const round of [1, 2, 3]) {
      const planId = round === 1 ? 'plan-prod.weu-1' : `plan-prod.neu-${round}`;
      await until(
        () =>
          customStatusOf(host, id)?.stages[0]?.state === 'waiting' &&
          customStatusOf(host, id)?.stages[0]?.approval?.planId === planId,
      );
      await raise(id, approvalEventName('prod'), approve('alice', `2026-01-01T0${round}:00:00Z`));
    }
    const output = await finished(host, id);
    expect(output.state).toBe('failed');
    const prod = stageOf(output, 'prod');
    expect(prod?.targets?.map((t) => t.state)).toEqual(['succeeded', 'failed']);
    expect(prod?.message).toContain('the workspace kept changing: planned 3 time(s); re-run the release');
    expect(activityScript.count(id, 'planEnvironment:prod.neu')).toBe(3);
    expect(activityScript.count(id, 'planEnvironment:prod.weu')).toBe(1);
    expectDeterministic(host);
  });

  it('asks again after drift on a gated stage: a new wait for the new plan', async () => {
    const id = 'r-drift-gate';
    activityScript.set(id, { driftTimes: { 'qa:clusters': 1 } });
    await startRelease(host, releaseInput(id, ['qa'], { qa: { required: true, timeoutInHours: 72 } }));
    await until(() => customStatusOf(host, id)?.stages[0]?.state === 'waiting');
    expect(customStatusOf(host, id)?.stages[0]?.approval?.planId).toBe('plan-qa-1');
    await raise(id, approvalEventName('qa'), approve('alice', '2026-01-01T00:00:00Z'));
    await until(
      () =>
        customStatusOf(host, id)?.stages[0]?.state === 'waiting' &&
        customStatusOf(host, id)?.stages[0]?.approval?.planId === 'plan-qa-2',
    );
    const waiting = customStatusOf(host, id)?.stages[0];
    expect(waiting?.plans).toEqual({ planned: 'plan-qa-2', approved: 'plan-qa-1', replans: 1 });
    expect(waiting?.message).toContain('the new plan needs a new approval');
    // The stage shows `waiting` before its notice activity has run: wait for the second notice itself.
    const notices = () => activityScript.calls(id).filter((c) => c.key === 'notify:qa:approvalNeeded');
    await until(() => notices().length >= 2);
    expect(notices().map((c) => (c.input as { planId?: string }).planId)).toEqual(['plan-qa-1', 'plan-qa-2']);
    await raise(id, approvalEventName('qa'), approve('bob', '2026-01-01T01:00:00Z'));
    const output = await finished(host, id);
    expect(output.state).toBe('succeeded');
    expect(stageOf(output, 'qa')?.plans).toEqual({
      planned: 'plan-qa-2',
      approved: 'plan-qa-2',
      applied: 'plan-qa-2',
      replans: 1,
    });
    expect(stageOf(output, 'qa')?.approval).toMatchObject({ approver: 'bob', planId: 'plan-qa-2' });
    expectDeterministic(host);
  });

  describe('a permanent failure of any step ends the release as data, after one attempt', () => {
    it('a plan that fails permanently fails its stage with the fix, tells the channel, and stops after one attempt', async () => {
      const id = 'r-fail-plan';
      activityScript.set(id, { fail: { 'planEnvironment:qa': SECRET } });
      await startRelease(host, releaseInput(id, ['dev', 'qa', 'prod']));
      const output = await finished(host, id);

      expect(output.state).toBe('failed');
      expect(output.message).toBe('qa failed (SecretNotFound); fix it and re-run the release');
      expect(stageOf(output, 'qa')).toMatchObject({
        state: 'failed',
        message: SECRET.message,
        fix: SECRET.fix,
      });
      expect(output.stages.map((s) => s.state)).toEqual(['succeeded', 'failed', 'skipped']);
      expect(activityScript.count(id, 'planEnvironment:qa')).toBe(1);
      // QA has no gate here: it held the apply lock while planning, and gives it back.
      expect(schedule(host.durable.history(id)).slice(-4)).toEqual([
        'TaskScheduled#6 claimEnvironment:qa:applying',
        'TaskScheduled#7 planEnvironment:qa',
        'TaskScheduled#8 releaseEnvironment:qa:applying',
        'TaskScheduled#9 notify:qa:failed',
      ]);
      const notice = activityScript.calls(id).find((c) => c.key === 'notify:qa:failed');
      expect(notice?.input).toMatchObject({ message: SECRET.message, fix: SECRET.fix });
      expectDeterministic(host);
    });

    it('a wave that fails permanently inside deployEnvironment fails the stage the same way and gives the lock back', async () => {
      const id = 'r-fail-wave';
      const refused: PermanentFailure = {
        code: 'WorkspaceTokenRefused',
        message: 'databricks clusters/list: 401 invalid access token',
        fix: 'give the identity access to the workspace',
      };
      activityScript.set(id, { fail: { 'applyWave:dev:clusters': refused } });
      await startRelease(host, releaseInput(id, ['dev', 'qa']));
      const output = await finished(host, id);

      expect(stageOf(output, 'dev')).toMatchObject({
        state: 'failed',
        message: refused.message,
        fix: refused.fix,
      });
      expect(output.stages.map((s) => s.state)).toEqual(['failed', 'skipped']);
      // Nothing after the failed wave ran, and the wave ran once.
      expect(scheduledCalls(host.durable.history(`${id}:dev`))).toEqual([
        'provisionEnvironment:dev',
        'applyWave:dev:initScripts',
        'applyWave:dev:clusters',
      ]);
      expect(schedule(host.durable.history(id)).slice(-3)).toEqual([
        `SubOrchestrationInstanceCreated#3 ${ORCHESTRATIONS.deployEnvironment} ${id}:dev`,
        'TaskScheduled#4 releaseEnvironment:dev:applying',
        'TaskScheduled#5 notify:dev:failed',
      ]);
      expectDeterministic(host);
    });

    it('a failure before any stage (inspecting the bundle) fails the release with its fix', async () => {
      const id = 'r-fail-inspect';
      const invalid: PermanentFailure = {
        code: 'StagedBundleInvalid',
        message: 'the staged bundle does not match its id',
        fix: 'stage the bundle again and start a new release',
      };
      activityScript.set(id, { fail: { inspectBundle: invalid } });
      await startRelease(host, releaseInput(id, ['dev']));
      const output = await finished(host, id);
      expect(output).toMatchObject({ state: 'failed', message: invalid.message, fix: invalid.fix });
      expect(output.stages.map((s) => s.state)).toEqual(['skipped']);
      expect(scheduledCalls(host.durable.history(id))).toEqual(['inspectBundle']);
    });
  });
});
