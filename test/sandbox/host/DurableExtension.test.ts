// Test infrastructure tests: the Durable stand-in runs the real durable-functions replay engine, with
// host-shaped histories, retries, timers, events, sub-orchestrations, persistence and determinism checks.
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Azurite } from '../../emulator/Azurite';
import { FastForwardClock } from './FastForwardClock';
import { FunctionHost } from './FunctionHost';
import { EventType, eventTypeName, type HistoryEvent } from './HistoryEvent';
import { loadFunctionApp } from './loadFunctionApp';
import { sampleProbe } from './fixtures/sampleProbe';

const SAMPLE_APP = join(__dirname, 'fixtures', 'sampleApp.ts');
const NONDETERMINISTIC_APP = join(__dirname, 'fixtures', 'nondeterministicApp.ts');

/** A real DurableClient bound to the host, as a function with df.input.durableClient() receives it. */
function clientFor(host: FunctionHost): df.DurableClient {
  const input = df.input.durableClient();
  const context = new InvocationContext({
    options: { trigger: { type: 'httpTrigger', name: 'req' }, extraInputs: [input] },
  });
  context.extraInputs.set(input, host.durableClientInput());
  return df.getClient(context);
}

async function until(condition: () => boolean, timeoutInMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The events that matter for the JS replay, as compact strings: "TaskScheduled#5 flaky", "TaskFailed->5". */
function outline(history: readonly HistoryEvent[]): string[] {
  return history
    .filter(
      (e) => e.EventType !== EventType.OrchestratorStarted && e.EventType !== EventType.OrchestratorCompleted,
    )
    .map((e) => {
      const name = eventTypeName(e);
      if (e.EventId >= 0) return `${name}#${e.EventId}${e.Name ? ` ${e.Name}` : ''}`;
      if (e.TaskScheduledId !== undefined) return `${name}->${e.TaskScheduledId}`;
      if (e.TimerId !== undefined) return `${name}->${e.TimerId}`;
      if (e.EventType === EventType.EventRaised) return `${name} ${e.Name}`;
      return name;
    });
}

describe('orchestrations on the stand-in', () => {
  let azurite: Azurite;
  let host: FunctionHost;
  let client: df.DurableClient;
  const clock = new FastForwardClock();

  beforeAll(async () => {
    azurite = await Azurite.start();
    host = await FunctionHost.start({
      app: await loadFunctionApp(SAMPLE_APP),
      storageConnectionString: azurite.connectionString,
      clock,
    });
    client = clientFor(host);
  });

  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  it('runs fan-out, an approval raced with a timer, a sub-orchestration and a retried activity', async () => {
    const key = encodeURIComponent(host.functionKey);
    const input = { numbers: [1, 2, 3], name: 'Ada', approvalTimeoutInMs: 3_600_000 };
    const started = await fetch(`${host.url}/api/releases/r1?code=${key}`, {
      method: 'POST',
      body: JSON.stringify(input),
    });
    expect(started.status).toBe(202);
    const links = (await started.json()) as Record<string, string>;
    expect(links.id).toBe('release-r1');
    expect(links.statusQueryGetUri).toContain(
      `${host.url}/runtime/webhooks/durabletask/instances/release-r1?`,
    );
    expect(links.sendEventPostUri).toContain(`code=${encodeURIComponent(host.systemKey)}`);

    // A redelivered start finds the instance running (idempotent starter in the fixture).
    const again = await fetch(`${host.url}/api/releases/r1?code=${key}`, {
      method: 'POST',
      body: JSON.stringify(input),
    });
    expect(again.status).toBe(409);

    await host.durable.waitFor(
      'release-r1',
      (s) => (s.customStatus as { stage?: string })?.stage === 'approval',
    );
    const approve = await fetch(`${host.url}/api/releases/r1/approve`, {
      method: 'POST',
      headers: { 'x-ms-client-principal-name': 'carol@example.com' },
    });
    expect(approve.status).toBe(202);

    const done = await host.durable.waitFor('release-r1', ['Completed', 'Failed']);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toEqual({
      doubled: [2, 4, 6],
      decision: { approved: true, approver: 'carol@example.com' },
      child: { child: 42 },
      flaky: 'recovered',
      self: 'Running',
      greeting: 'Hello Ada',
    });
    expect(done.customStatus).toEqual({ stage: 'done' });
    expect(done.input).toEqual(input);
    expect(host.durable.status('release-r1-child')?.runtimeStatus).toBe('Completed');

    const history = host.durable.history('release-r1');
    const events = outline(history);
    expect(events.slice(0, 4)).toEqual([
      'ExecutionStarted',
      'TaskScheduled#0 double',
      'TaskScheduled#1 double',
      'TaskScheduled#2 double',
    ]);
    // The timer and the event wait come from one Task.any; the event takes no EventId.
    expect(events).toContain('TimerCreated#3');
    expect(events.indexOf('EventRaised approval')).toBeLessThan(
      events.indexOf('SubOrchestrationInstanceCreated#4 childOrchestration'),
    );
    // A failed attempt is followed by the retry pause and a new TaskScheduled with the next ids.
    const retry = events.slice(events.indexOf('TaskScheduled#5 flaky'));
    expect(retry.slice(0, 6)).toEqual([
      'TaskScheduled#5 flaky',
      'TaskFailed->5',
      'TimerCreated#6',
      'TimerFired->6',
      'TaskScheduled#7 flaky',
      'TaskCompleted->7',
    ]);
    expect(events.slice(-3)).toEqual(['TaskScheduled#9 greet', 'TaskCompleted->9', 'ExecutionCompleted']);

    const created = history.find((e) => e.EventType === EventType.SubOrchestrationInstanceCreated);
    expect(created).toMatchObject({ InstanceId: 'release-r1-child', Input: '{"n":21}' });
    const childDone = history.find((e) => e.EventType === EventType.SubOrchestrationInstanceCompleted);
    expect(childDone).toMatchObject({ TaskScheduledId: 4, Result: '{"child":42}' });
    const failed = history.find((e) => e.EventType === EventType.TaskFailed);
    expect(failed?.Reason).toBe("Activity function 'flaky' failed: transient failure for release-r1");
    const retryTimer = history.find((e) => e.EventType === EventType.TimerCreated && e.EventId === 6);
    expect(Date.parse(retryTimer?.FireAt ?? '') - Date.parse(failed?.Timestamp ?? '')).toBeGreaterThanOrEqual(
      40,
    );
    expect(host.durable.eventCounts('release-r1')).toMatchObject({
      TaskScheduled: 7,
      TaskCompleted: 6,
      TaskFailed: 1,
    });
    expect(host.durable.counters().nondeterministic).toBe(0);

    // The status API answers as the extension does, and DurableClient reads it.
    const status = await client.getStatus('release-r1', { showHistory: true, showHistoryOutput: true });
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual(done.output);
    expect(status.createdTime).toBeInstanceOf(Date);
    const raw = await fetch(`${links.statusQueryGetUri}&showHistory=true`);
    expect(raw.status).toBe(200);
    const body = (await raw.json()) as { createdTime: string; historyEvents: { EventType: string }[] };
    expect(body.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body.historyEvents[0]?.EventType).toBe('ExecutionStarted');
  });

  it('lets the approval timer win when the clock passes the deadline', async () => {
    const input = { numbers: [5], name: 'Bo', approvalTimeoutInMs: 24 * 3600 * 1000 };
    await client.startNew('releaseOrchestration', { instanceId: 'release-timeout', input });
    await host.durable.waitFor(
      'release-timeout',
      (s) => (s.customStatus as { stage?: string })?.stage === 'approval',
    );
    clock.advance(24 * 3600 * 1000 + 1000);
    const done = await host.durable.waitFor('release-timeout', ['Completed', 'Failed']);
    expect(done.output).toMatchObject({ decision: { approved: false, reason: 'timeout' }, doubled: [10] });
    expect(outline(host.durable.history('release-timeout'))).toContain('TimerFired->1');
  });

  it('fails a retried activity after maxNumberOfAttempts, with a retry pause after each attempt', async () => {
    await client.startNew('retryExhausted', { instanceId: 'retry-exhausted' });
    const done = await host.durable.waitFor('retry-exhausted', ['Completed', 'Failed']);
    expect(done.output).toEqual({ caught: "Activity function 'alwaysFails' failed: permanent failure " });
    expect(sampleProbe.calls('alwaysFails:retry-exhausted')).toBe(2);
    expect(outline(host.durable.history('retry-exhausted')).slice(1, 9)).toEqual([
      'TaskScheduled#0 alwaysFails',
      'TaskFailed->0',
      'TimerCreated#1',
      'TimerFired->1',
      'TaskScheduled#2 alwaysFails',
      'TaskFailed->2',
      'TimerCreated#3',
      'TimerFired->3',
    ]);
  });

  it('restarts an instance with a fresh history on continueAsNew', async () => {
    await client.startNew('counter', { instanceId: 'counter-1', input: 0 });
    const done = await host.durable.waitFor('counter-1', ['Completed', 'Failed']);
    expect(done.output).toBe(6);
    const history = host.durable.history('counter-1');
    expect(history.find((e) => e.EventType === EventType.ExecutionStarted)?.Input).toBe('3');
    expect(outline(history)).toEqual([
      'ExecutionStarted',
      'TaskScheduled#0 double',
      'TaskCompleted->0',
      'ExecutionCompleted',
    ]);
  });

  it('mirrors the extension for duplicate starts, unknown instances, termination, listing and purge', async () => {
    await client.startNew('resumable', { instanceId: 'to-terminate' });
    await until(() => sampleProbe.calls('slow:to-terminate') === 1);
    // DurableClient accepts only <= 202 from startNew; the extension answers 500 for an existing instance.
    await expect(client.startNew('resumable', { instanceId: 'to-terminate' })).rejects.toThrow(
      /500.*OrchestrationAlreadyExistsException/,
    );
    await expect(client.startNew('noSuchOrchestration')).rejects.toThrow(/400/);
    await expect(client.raiseEvent('no-such-instance', 'x', 1)).rejects.toThrow(
      "No instance with ID 'no-such-instance' found.",
    );
    await expect(client.getStatus('no-such-instance')).rejects.toThrow(/404/);

    const running = await client.getStatusBy({ runtimeStatus: [df.OrchestrationRuntimeStatus.Running] });
    expect(running.map((s) => s.instanceId)).toContain('to-terminate');

    await client.terminate('to-terminate', 'operator said stop');
    const terminated = await host.durable.waitFor('to-terminate', 'Terminated');
    expect(terminated.output).toBe('operator said stop');
    sampleProbe.open('slow:to-terminate');
    await client.terminate('to-terminate', 'again'); // 410 Gone is accepted silently
    await client.raiseEvent('to-terminate', 'continue', 'late'); // 410 as well

    // Paging: `top` with continuation tokens, which DurableClient follows on its own.
    const firstPage = await fetch(`${host.durableClientInput().rpcBaseUrl}instances/?top=1`);
    const token = firstPage.headers.get('x-ms-continuation-token');
    expect(((await firstPage.json()) as unknown[]).length).toBe(1);
    expect(token).toBeTruthy();
    const all = await client.getStatusAll();
    expect(all.length).toBe(host.durable.instances().length);

    const purged = await client.purgeInstanceHistory('to-terminate');
    expect(purged.instancesDeleted).toBe(1);
    expect(host.durable.status('to-terminate')).toBeUndefined();
    expect((await client.purgeInstanceHistory('to-terminate')).instancesDeleted).toBe(0);
  });

  it('refuses the instance ids the extension refuses, as its HTTP API answers the JS client', async () => {
    // ArgumentException from DurableClient.StartNewAsync: 400 with the exception's message.
    await expect(client.startNew('childOrchestration', { instanceId: '@entity-like' })).rejects.toThrow(
      /400.*must not start with @/,
    );
    // DurableClient puts the id in the URL unencoded: a control character arrives percent-encoded.
    await expect(client.startNew('childOrchestration', { instanceId: 'tab\u0001here' })).rejects.toThrow(
      /400.*must not contain \/, \\\\, #, \?, or control characters/,
    );
    await expect(client.startNew('childOrchestration', { instanceId: 'x'.repeat(257) })).rejects.toThrow(
      /400.*must not exceed 256 characters/,
    );
    // A `/` (or `\`) adds a path segment: no route of the extension matches.
    await expect(client.startNew('childOrchestration', { instanceId: 'a/b' })).rejects.toThrow(/404/);
    await expect(client.startNew('childOrchestration', { instanceId: 'a\\b' })).rejects.toThrow(/404/);
    // Encoded by a caller that does encode, `#` and `?` reach the check and are refused too.
    for (const id of ['a%23b', 'a%3Fb', 'a%2Fb', 'a%5Cb']) {
      const response = await fetch(
        `${host.durableClientInput().rpcBaseUrl}orchestrators/childOrchestration/${id}`,
        {
          method: 'POST',
        },
      );
      expect(response.status, id).toBe(400);
      expect(((await response.json()) as { ExceptionMessage: string }).ExceptionMessage).toContain('#, ?');
    }
    expect(host.durable.instances().some((s) => /^(@|a[/\\#?]|tab|x{257})/.test(s.instanceId))).toBe(false);
    // At the limit, and with other punctuation, an id is fine.
    const longest = 'y'.repeat(256);
    await client.startNew('childOrchestration', { instanceId: longest, input: { n: 1 } });
    await client.startNew('childOrchestration', { instanceId: 'release:dev.1-a_b@c', input: { n: 2 } });
    expect((await host.durable.waitFor(longest, 'Completed')).output).toEqual({ child: 2 });
    expect((await host.durable.waitFor('release:dev.1-a_b@c', 'Completed')).output).toEqual({ child: 4 });
  });

  it('fails an orchestration that names a sub-orchestration with its own id or a leading @', async () => {
    await client.startNew('childWithId', { instanceId: 'Self-Parent', input: 'self-parent' });
    await client.startNew('childWithId', { instanceId: 'at-child', input: '@child' });
    await client.startNew('childWithId', { instanceId: 'fine-parent', input: 'fine-parent:child' });
    const self = await host.durable.waitFor('Self-Parent', ['Completed', 'Failed']);
    expect(self).toMatchObject({
      runtimeStatus: 'Failed',
      output: expect.stringContaining('must be different than the instance ID of a parent'),
    });
    const at = await host.durable.waitFor('at-child', ['Completed', 'Failed']);
    expect(at).toMatchObject({
      runtimeStatus: 'Failed',
      output: expect.stringContaining('must not start with @'),
    });
    expect(host.durable.status('@child')).toBeUndefined();
    expect((await host.durable.waitFor('fine-parent', ['Completed', 'Failed'])).output).toEqual({ child: 2 });
  });

  it('replaces a Completed or Failed instance on startNew: new history, new input', async () => {
    await client.startNew('childOrchestration', { instanceId: 'replaced', input: { n: 1 } });
    const first = await host.durable.waitFor('replaced', ['Completed', 'Failed']);
    expect(first.output).toEqual({ child: 2 });
    const firstExecution = host.durable.history('replaced')[1]?.OrchestrationInstance?.ExecutionId;

    await client.startNew('childOrchestration', { instanceId: 'replaced', input: { n: 5 } });
    const second = await host.durable.waitFor(
      'replaced',
      (s) => s.runtimeStatus === 'Completed' && s.input !== null && (s.input as { n: number }).n === 5,
    );
    expect(second.output).toEqual({ child: 10 });
    const history = host.durable.history('replaced');
    const started = history.filter((e) => e.EventType === EventType.ExecutionStarted);
    expect(started).toHaveLength(1);
    expect(started[0]?.Input).toBe('{"n":5}');
    expect(started[0]?.OrchestrationInstance?.ExecutionId).not.toBe(firstExecution);
    expect(outline(history)).toEqual([
      'ExecutionStarted',
      'TaskScheduled#0 double',
      'TaskCompleted->0',
      'ExecutionCompleted',
    ]);

    await client.startNew('failingChild', { instanceId: 'replaced-failed' });
    expect((await host.durable.waitFor('replaced-failed', ['Completed', 'Failed'])).runtimeStatus).toBe(
      'Failed',
    );
    await client.startNew('childOrchestration', { instanceId: 'replaced-failed', input: { n: 3 } });
    const revived = await host.durable.waitFor('replaced-failed', 'Completed');
    expect(revived).toMatchObject({ name: 'childOrchestration', output: { child: 6 } });

    await client.startNew('resumable', { instanceId: 'replaced-terminated' });
    await until(() => sampleProbe.calls('slow:replaced-terminated') === 1);
    await client.terminate('replaced-terminated', 'stop');
    await host.durable.waitFor('replaced-terminated', 'Terminated');
    sampleProbe.open('slow:replaced-terminated');
    await client.startNew('childOrchestration', { instanceId: 'replaced-terminated', input: { n: 4 } });
    const restarted = await host.durable.waitFor('replaced-terminated', 'Completed');
    expect(restarted).toMatchObject({ name: 'childOrchestration', output: { child: 8 } });
  });

  it('fails an orchestration whose custom status is over 16 KB in UTF-16, as SetCustomStatus throws', async () => {
    // {"blob":"x..."} of 8,704 characters is 17,408 bytes in UTF-16: 17 KB once truncated to whole KB.
    await client.startNew('growingStatus', { instanceId: 'status-17kb', input: 8704 });
    const failed = await host.durable.waitFor('status-17kb', ['Completed', 'Failed']);
    expect(failed.runtimeStatus).toBe('Failed');
    expect(failed.output).toBe(
      "Orchestrator function 'growingStatus' failed: The UTF-16 size of the JSON-serialized payload must " +
        'not exceed 16 KB. The current payload size is 17 KB.',
    );
    // Nothing the oversized episode asked for was scheduled, and the status it tried to set is gone.
    expect(failed.customStatus).toBeNull();
    expect(outline(host.durable.history('status-17kb'))).toEqual([
      'ExecutionStarted',
      'TaskScheduled#0 double',
      'TaskCompleted->0',
      'ExecutionCompleted',
    ]);
    const status = await client.getStatus('status-17kb');
    expect(status.runtimeStatus).toBe('Failed');

    // The extension truncates to whole KB before comparing: 17,406 bytes (16 KB) still passes.
    await client.startNew('growingStatus', { instanceId: 'status-16kb', input: 8703 });
    const passed = await host.durable.waitFor('status-16kb', ['Completed', 'Failed']);
    expect(passed.runtimeStatus).toBe('Completed');
    expect(JSON.stringify(passed.customStatus).length * 2).toBe(17_406);
  });

  it('splits a timer longer than six days into legs, as the extension does for schema V3+', async () => {
    const start = clock.now();
    await client.startNew('longWait', { instanceId: 'long-wait', input: 10 });
    const day = 24 * 3600 * 1000;
    const timers = (): HistoryEvent[] =>
      host.durable.history('long-wait').filter((e) => e.EventType === EventType.TimerCreated);
    await until(() => timers().length === 1);
    expect(Date.parse(timers()[0]?.FireAt ?? '') - start).toBeGreaterThanOrEqual(3 * day);
    expect(Date.parse(timers()[0]?.FireAt ?? '') - start).toBeLessThan(3 * day + 5000);
    clock.advance(3 * day + 1000);
    await until(() => timers().length === 2);
    clock.advance(3 * day);
    await until(() => timers().length === 3);
    expect(Date.parse(timers()[2]?.FireAt ?? '') - start).toBeGreaterThanOrEqual(10 * day);
    expect(host.durable.status('long-wait')?.runtimeStatus).toBe('Running');
    clock.advance(4 * day);
    const done = await host.durable.waitFor('long-wait', ['Completed', 'Failed']);
    expect(done.output).toBe('woke');
    expect(outline(host.durable.history('long-wait'))).toEqual([
      'ExecutionStarted',
      'TimerCreated#0',
      'TimerFired->0',
      'TimerCreated#1',
      'TimerFired->1',
      'TimerCreated#2',
      'TimerFired->2',
      'ExecutionCompleted',
    ]);
  });

  it('reports a failed sub-orchestration to its parent as SubOrchestrationInstanceFailed', async () => {
    await client.startNew('parentOfFailingChild', { instanceId: 'parent-1' });
    const done = await host.durable.waitFor('parent-1', ['Completed', 'Failed']);
    expect(done.output).toEqual({ caught: "Orchestrator function 'failingChild' failed: child broke " });
    expect(host.durable.status('parent-1:0')?.runtimeStatus).toBe('Failed');
    expect(outline(host.durable.history('parent-1'))).toContain('SubOrchestrationInstanceFailed->0');
  });

  it('runs fanned-out activities concurrently, within maxConcurrentActivities', async () => {
    await client.startNew('fanOut', { instanceId: 'fan-out', input: 24 });
    const done = await host.durable.waitFor('fan-out', ['Completed', 'Failed']);
    expect(done.output).toBe(24);
    expect(sampleProbe.maxConcurrent).toBeGreaterThan(1);
    expect(sampleProbe.maxConcurrent).toBeLessThanOrEqual(8);
  });

  it('buffers an event raised before the orchestration waits for it', async () => {
    await client.startNew('resumable', { instanceId: 'early-event' });
    await client.raiseEvent('early-event', 'continue', 'Eve');
    sampleProbe.open('slow:early-event');
    const done = await host.durable.waitFor('early-event', ['Completed', 'Failed']);
    expect(done.output).toEqual({ first: 'slow early-event done', second: 'Hello Eve' });
    const events = outline(host.durable.history('early-event'));
    expect(events.indexOf('EventRaised continue')).toBeLessThan(events.indexOf('TaskCompleted->0'));
  });
});

describe('determinism check', () => {
  let azurite: Azurite;
  let host: FunctionHost;

  beforeAll(async () => {
    azurite = await Azurite.start();
    host = await FunctionHost.start({
      app: await loadFunctionApp(NONDETERMINISTIC_APP),
      storageConnectionString: azurite.connectionString,
    });
  });

  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  it('fails an orchestration that picks its activity with Math.random()', async () => {
    const client = clientFor(host);
    await client.startNew('randomOrchestration', { instanceId: 'random-1' });
    const status = await host.durable.waitFor('random-1', ['Completed', 'Failed']);
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toContain('nondeterministic orchestration');
    expect(host.durable.counters().nondeterministic).toBe(1);
  });

  it('leaves a deterministic orchestration alone', async () => {
    const client = clientFor(host);
    await client.startNew('steadyOrchestration', { instanceId: 'steady-1' });
    const status = await host.durable.waitFor('steady-1', ['Completed', 'Failed']);
    expect(status.output).toBe('ab');
    expect(host.durable.counters().nondeterministic).toBe(1);
    expect(host.durable.counters().replayChecks).toBeGreaterThan(0);
  });
});

describe('a host killed mid-run', () => {
  const location = mkdtempSync(join(tmpdir(), 'sandbox-host-'));

  afterAll(() => rmSync(location, { recursive: true, force: true }));

  it('resumes on a new host over the same Azurite location, re-running the interrupted activity', async () => {
    const app = await loadFunctionApp(SAMPLE_APP);
    let azurite = await Azurite.start({ location });
    let host = await FunctionHost.start({
      app,
      storageConnectionString: azurite.connectionString,
      taskHubName: 'resume',
    });
    try {
      await clientFor(host).startNew('resumable', { instanceId: 'resume-1' });
      await until(() => sampleProbe.calls('slow:resume-1') === 1);
      await host.stop();
      await azurite.stop();

      azurite = await Azurite.start({ location });
      host = await FunctionHost.start({
        app,
        storageConnectionString: azurite.connectionString,
        taskHubName: 'resume',
      });
      expect(host.durable.status('resume-1')?.runtimeStatus).toBe('Running');
      // At least once: the activity that was running when the host died runs again.
      await until(() => sampleProbe.calls('slow:resume-1') === 2);
      sampleProbe.open('slow:resume-1');
      await clientFor(host).raiseEvent('resume-1', 'continue', 'Grace');
      const done = await host.durable.waitFor('resume-1', ['Completed', 'Failed']);
      expect(done.output).toEqual({ first: 'slow resume-1 done', second: 'Hello Grace' });
      // The first host's late result for the interrupted attempt was dropped: one completion per task.
      expect(host.durable.eventCounts('resume-1').TaskCompleted).toBe(2);
    } finally {
      await host.stop();
      await azurite.stop();
    }
  });
});

describe('episode latency (episodeLatencyInMs)', () => {
  it('waits that long before every episode, as Azure queues and history tables do', async () => {
    const azurite = await Azurite.start();
    const host = await FunctionHost.start({
      app: await loadFunctionApp(SAMPLE_APP),
      storageConnectionString: azurite.connectionString,
      taskHubName: 'latency',
      episodeLatencyInMs: 300,
    });
    try {
      const started = Date.now();
      await clientFor(host).startNew('childOrchestration', { instanceId: 'latency-1', input: { n: 2 } });
      const done = await host.durable.waitFor('latency-1', ['Completed', 'Failed']);
      expect(done.output).toEqual({ child: 4 });
      // Two episodes: the start, then the activity's result.
      expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    } finally {
      await host.stop();
      await azurite.stop();
    }
  });
});
