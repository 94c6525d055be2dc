// Test infrastructure tests: the Durable stand-in's action scheduler gives EventIds in the order the JS
// replay numbers its tasks, keeps the retry policy's pauses (backoff, cap, retry timeout) and refuses
// what the extension refuses, without a host or Azurite.
import { describe, expect, it } from 'vitest';
import { ActionScheduler, orderMessages, UnsupportedActionError } from './ActionScheduler';
import type { Effect } from './EffectRunner';
import { EventType, eventTypeName, type HistoryEvent } from './HistoryEvent';
import type { InstanceRecord } from './InstanceRecord';
import { ActionType, type OrchestratorAction, type RetryOptionsJson } from './OrchestratorAction';

const START = Date.parse('2026-01-01T00:00:00.000Z');

function newRecord(overrides: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    instanceId: 'parent-1',
    name: 'deploy',
    executionId: 'e1',
    runtimeStatus: 'Running',
    input: null,
    output: null,
    customStatus: null,
    createdTime: new Date(START).toISOString(),
    lastUpdatedTime: new Date(START).toISOString(),
    history: [],
    inbox: [],
    actions: [],
    nextEventId: 0,
    retries: {},
    timers: {},
    episodes: 0,
    ...overrides,
  };
}

function message(type: HistoryEvent['EventType'], fields: Partial<HistoryEvent> = {}): HistoryEvent {
  return { EventType: type, EventId: -1, IsPlayed: false, Timestamp: 'then', ...fields };
}

/** One episode's output: events as "TaskScheduled#0 name" / "TimerCreated#1 @+1000ms", and the effects. */
class Episode {
  readonly logs: string[] = [];
  readonly events: HistoryEvent[] = [];
  readonly effects: Effect[] = [];
  readonly scheduler = new ActionScheduler(
    (type, eventId) => message(type, { EventId: eventId }),
    (line) => this.logs.push(line),
  );

  schedule(record: InstanceRecord, actions: OrchestratorAction[], nowMs = START): unknown {
    return this.scheduler.scheduleNew(record, actions, nowMs, this.events, this.effects);
  }

  /** Processes one message as the episode it arrives in does. */
  receive(
    record: InstanceRecord,
    type: HistoryEvent['EventType'],
    fields: Partial<HistoryEvent>,
    nowMs: number,
  ): void {
    this.scheduler.followUps(record, message(type, fields), nowMs, this.events, this.effects);
  }

  outline(): string[] {
    return this.events.map((e) => {
      const at = e.FireAt ? ` @+${Date.parse(e.FireAt) - START}ms` : '';
      const instance = e.InstanceId ? ` (${e.InstanceId})` : '';
      return `${eventTypeName(e)}#${e.EventId}${e.Name ? ` ${e.Name}` : ''}${instance}${at}`;
    });
  }
}

const activity = (name: string, retryOptions?: RetryOptionsJson): OrchestratorAction =>
  retryOptions
    ? { actionType: ActionType.CallActivityWithRetry, functionName: name, input: name, retryOptions }
    : { actionType: ActionType.CallActivity, functionName: name, input: name };

describe('ActionScheduler', () => {
  it('numbers new actions in the order reported, compound actions depth-first, and returns the ContinueAsNew', () => {
    const record = newRecord({ actions: [activity('already')], nextEventId: 1 });
    const episode = new Episode();
    const continueAsNew: OrchestratorAction = { actionType: ActionType.ContinueAsNew, input: '"next"' };
    const found = episode.schedule(record, [
      activity('already'),
      activity('first'),
      {
        actionType: ActionType.WhenAll,
        compoundActions: [
          activity('second'),
          { actionType: ActionType.WaitForExternalEvent, externalEventName: 'approval' },
          {
            actionType: ActionType.WhenAny,
            compoundActions: [
              { actionType: ActionType.CreateTimer, fireAt: new Date(START + 60_000).toISOString() },
              { actionType: ActionType.CallSubOrchestrator, functionName: 'child', instanceId: 'c-1' },
            ],
          },
        ],
      },
      { actionType: ActionType.CallSubOrchestrator, functionName: 'child' },
      continueAsNew,
    ]);
    expect(found).toBe(continueAsNew);
    // The action recorded by an earlier episode keeps its id; an event wait takes none.
    expect(episode.outline()).toEqual([
      'TaskScheduled#1 first',
      'TaskScheduled#2 second',
      'TimerCreated#3 @+60000ms',
      'SubOrchestrationInstanceCreated#4 child (c-1)',
      'SubOrchestrationInstanceCreated#5 child (parent-1:5)',
    ]);
    expect(episode.effects.map((e) => e.kind)).toEqual(['activity', 'activity', 'timer', 'child', 'child']);
    expect(record.nextEventId).toBe(6);
    // Calls without a retry policy leave no retry bookkeeping; a short timer needs none either.
    expect(record.retries).toEqual({});
    expect(record.timers).toEqual({});
  });

  it('pauses first * coefficient^(attempt-1), capped, after every failed attempt, the last one included', () => {
    const record = newRecord();
    const options = {
      firstRetryIntervalInMilliseconds: 1_000,
      maxNumberOfAttempts: 3,
      backoffCoefficient: 2,
      maxRetryIntervalInMilliseconds: 3_000,
    };
    const episode = new Episode();
    episode.schedule(record, [activity('flaky', options)]);
    // The ids continue where the previous message's follow-up left off.
    for (const [taskId, timerId] of [
      [0, 1],
      [2, 3],
      [4, 5],
    ]) {
      episode.receive(record, EventType.TaskFailed, { TaskScheduledId: taskId }, START);
      episode.receive(record, EventType.TimerFired, { TimerId: timerId }, START);
    }
    expect(episode.outline()).toEqual([
      'TaskScheduled#0 flaky',
      'TimerCreated#1 @+1000ms',
      'TaskScheduled#2 flaky',
      'TimerCreated#3 @+2000ms',
      'TaskScheduled#4 flaky',
      'TimerCreated#5 @+3000ms',
    ]);
    // After the last attempt's pause nothing more is scheduled, and no bookkeeping is left.
    expect(record.retries).toEqual({});
    expect(record.timers).toEqual({});
  });

  it('creates no pause once the retry timeout has passed', () => {
    const record = newRecord();
    const options = {
      firstRetryIntervalInMilliseconds: 1_000,
      maxNumberOfAttempts: 5,
      retryTimeoutInMilliseconds: 500,
    };
    const episode = new Episode();
    episode.schedule(record, [activity('slow', options)]);
    episode.receive(record, EventType.TaskFailed, { TaskScheduledId: 0 }, START + 600);
    expect(episode.outline()).toEqual(['TaskScheduled#0 slow']);
    expect(episode.logs).toEqual(['parent-1: retry timeout of slow passed; no retry timer created']);
    expect(record.retries).toEqual({});
  });

  it('splits a timer longer than six days into legs of three days until its end', () => {
    const record = newRecord();
    const day = 24 * 3600 * 1000;
    const episode = new Episode();
    const timer = { actionType: ActionType.CreateTimer, fireAt: new Date(START + 10 * day).toISOString() };
    episode.schedule(record, [timer]);
    for (const [timerId, atDay] of [
      [0, 3],
      [1, 6],
      [2, 10],
    ] as const)
      episode.receive(record, EventType.TimerFired, { TimerId: timerId }, START + atDay * day);
    expect(episode.outline()).toEqual([
      `TimerCreated#0 @+${3 * day}ms`,
      `TimerCreated#1 @+${6 * day}ms`,
      `TimerCreated#2 @+${10 * day}ms`,
    ]);
    expect(record.timers).toEqual({});
  });

  it.each([
    [
      'its own id, in another case',
      { actionType: ActionType.CallSubOrchestrator, functionName: 'child', instanceId: 'PARENT-1' },
      'The instance ID of a sub-orchestration must be different than the instance ID of a parent orchestration.',
    ],
    [
      "its parent's id",
      { actionType: ActionType.CallSubOrchestrator, functionName: 'child', instanceId: 'grandparent' },
      'The instance ID of a sub-orchestration must be different than the instance ID of a parent orchestration.',
    ],
    [
      'an id starting with @',
      { actionType: ActionType.CallSubOrchestratorWithRetry, functionName: 'child', instanceId: '@c' },
      "instanceId (Parameter 'Orchestration instance ids must not start with @')",
    ],
    [
      'an entity call',
      { actionType: ActionType.CallEntity },
      `Durable entities (action type ${ActionType.CallEntity}) are not supported by the sandbox host`,
    ],
    ['callHttp', { actionType: ActionType.CallHttp }, 'callHttp is not supported by the sandbox host'],
    [
      'a timer without a time',
      { actionType: ActionType.CreateTimer, fireAt: 'soon' },
      'CreateTimer without a valid fireAt: soon',
    ],
    ['an unknown action', { actionType: 99 }, 'Unknown orchestrator action type 99'],
  ])('refuses %s', (_case, action: OrchestratorAction, refusal) => {
    const record = newRecord({
      parent: { instanceId: 'grandparent', executionId: 'g1', name: 'release', taskScheduledId: 0 },
    });
    const episode = new Episode();
    const schedule = (): unknown => episode.schedule(record, [action]);
    expect(schedule).toThrow(UnsupportedActionError);
    expect(schedule).toThrow(refusal);
  });
});

describe('orderMessages', () => {
  it('puts the start first, then messages whose follow-ups take an id, then the rest in arrival order', () => {
    const retry = {
      kind: 'activity' as const,
      name: 'flaky',
      input: null,
      options: { firstRetryIntervalInMilliseconds: 1, maxNumberOfAttempts: 2 },
      attempt: 1,
      firstAttemptAt: new Date(START).toISOString(),
    };
    const record = newRecord({
      retries: { '0': retry },
      timers: {
        '1': { kind: 'retry', retry },
        '2': { kind: 'longTimer', finalFireAt: new Date(START + 1_000).toISOString() },
        '3': { kind: 'retry', retry: { ...retry, attempt: 2 } },
      },
    });
    const inbox = [
      message(EventType.EventRaised, { Name: 'approval' }),
      message(EventType.TimerFired, { TimerId: 3 }),
      message(EventType.TaskFailed, { TaskScheduledId: 0 }),
      message(EventType.TimerFired, { TimerId: 2 }),
      message(EventType.ExecutionStarted),
      message(EventType.TimerFired, { TimerId: 1 }),
      message(EventType.TaskCompleted, { TaskScheduledId: 4 }),
    ];
    const label = (e: HistoryEvent): string =>
      `${eventTypeName(e)}${e.TaskScheduledId ?? e.TimerId ?? (e.Name ? ` ${e.Name}` : '')}`;
    expect(orderMessages(record, inbox, START).map(label)).toEqual([
      'ExecutionStarted',
      'TaskFailed0',
      'TimerFired2',
      'TimerFired1',
      'EventRaised approval',
      // A retry pause after the last attempt, and a task without a retry, unblock no new id.
      'TimerFired3',
      'TaskCompleted4',
    ]);
  });
});
