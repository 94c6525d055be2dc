// Test infrastructure: how the Durable stand-in turns the actions an orchestrator returns into scheduled
// work (activities with retry, timers including those over maximumShortTimerDuration, external events,
// sub-orchestrations, WhenAll/WhenAny), giving each task, timer and sub-orchestration the next EventId, as
// DTFx's idCounter does. The JS SDK numbers tasks itself and matches completions by those numbers, so our
// ids must advance in the same order: actions in the order reported (compound actions depth-first), and
// the retry and long-timer follow-ups (TimerCreated after a failed attempt, TaskScheduled after the retry
// timer fires) as soon as the triggering event is processed, before any action it unblocks -- see
// durable-functions 3.5 lib/src/task/RetryableTask.js and LongTimerTask.js, and the extension's
// OutOfProcOrchestrationShim.
import type { Effect } from './EffectRunner';
import { EventType, type HistoryEvent } from './HistoryEvent';
import type { InstanceRecord, RetryProgress, TimerPurpose } from './InstanceRecord';
import { ActionType, type OrchestratorAction } from './OrchestratorAction';

const MAXIMUM_SHORT_TIMER_IN_MS = 6 * 24 * 3600 * 1000;
const LONG_TIMER_INTERVAL_IN_MS = 3 * 24 * 3600 * 1000;

/** Raised inside an episode when the orchestrator asks for something the stand-in does not emulate. */
export class UnsupportedActionError extends Error {}

export class ActionScheduler {
  constructor(
    private readonly newEvent: (type: HistoryEvent['EventType'], eventId: number) => HistoryEvent,
    private readonly log: (message: string) => void,
  ) {}

  /**
   * Schedules the actions beyond those `record` has seen so far; returns the ContinueAsNew among them.
   * Throws UnsupportedActionError for an action the stand-in refuses.
   */
  scheduleNew(
    record: InstanceRecord,
    actions: readonly OrchestratorAction[],
    nowMs: number,
    newEvents: HistoryEvent[],
    effects: Effect[],
  ): OrchestratorAction | undefined {
    let continueAsNew: OrchestratorAction | undefined;
    for (const action of actions.slice(record.actions.length)) {
      const found = this.scheduleAction(record, action, nowMs, newEvents, effects);
      continueAsNew ??= found;
    }
    return continueAsNew;
  }

  /** Retry and long-timer follow-ups the extension adds while processing one message. */
  followUps(
    record: InstanceRecord,
    message: HistoryEvent,
    nowMs: number,
    newEvents: HistoryEvent[],
    effects: Effect[],
  ): void {
    const key = String(message.TaskScheduledId ?? message.TimerId);
    switch (message.EventType) {
      case EventType.TaskCompleted:
      case EventType.SubOrchestrationInstanceCompleted:
        record.retries = without(record.retries, key);
        return;
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceFailed: {
        const retry = record.retries[key];
        if (!retry) return;
        record.retries = without(record.retries, key);
        const delay = retryDelayInMs(retry, nowMs);
        // DTFx's RetryInterceptor creates the pause even after the last attempt, and the JS
        // RetryableTask waits for it before failing; with no delay (retry timeout passed) it creates none.
        if (delay <= 0) {
          this.log(`${record.instanceId}: retry timeout of ${retry.name} passed; no retry timer created`);
          return;
        }
        const timerId = record.nextEventId++;
        const fireAt = new Date(nowMs + delay).toISOString();
        newEvents.push({ ...this.newEvent(EventType.TimerCreated, timerId), FireAt: fireAt });
        record.timers[String(timerId)] = { kind: 'retry', retry };
        effects.push({ kind: 'timer', timerId, fireAt });
        return;
      }
      case EventType.TimerFired: {
        const purpose = record.timers[key];
        if (!purpose) return;
        record.timers = without(record.timers, key);
        if (purpose.kind === 'retry') {
          const { retry } = purpose;
          if (retry.attempt >= retry.options.maxNumberOfAttempts) return;
          this.scheduleAttempt(record, { ...retry, attempt: retry.attempt + 1 }, newEvents, effects);
        } else if (purpose.kind === 'longTimer') {
          const finalMs = Date.parse(purpose.finalFireAt);
          if (finalMs > nowMs) this.scheduleTimer(record, finalMs, nowMs, newEvents, effects, purpose);
        }
        return;
      }
      default:
        return;
    }
  }

  /** Schedules one new action; returns it when it is a ContinueAsNew. */
  private scheduleAction(
    record: InstanceRecord,
    action: OrchestratorAction,
    nowMs: number,
    newEvents: HistoryEvent[],
    effects: Effect[],
  ): OrchestratorAction | undefined {
    switch (action.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry:
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry: {
        const isActivity = action.actionType <= ActionType.CallActivityWithRetry;
        if (!isActivity) {
          const problem = subOrchestrationIdProblem(record, action.instanceId);
          if (problem) throw new UnsupportedActionError(problem);
        }
        const withRetry =
          action.actionType === ActionType.CallActivityWithRetry ||
          action.actionType === ActionType.CallSubOrchestratorWithRetry;
        const progress: RetryProgress = {
          kind: isActivity ? 'activity' : 'subOrchestration',
          name: action.functionName ?? '',
          input: action.input,
          ...(action.instanceId ? { instanceId: action.instanceId } : {}),
          options: action.retryOptions ?? { firstRetryIntervalInMilliseconds: 1, maxNumberOfAttempts: 1 },
          attempt: 1,
          firstAttemptAt: new Date(nowMs).toISOString(),
        };
        const eventId = this.scheduleAttempt(record, progress, newEvents, effects);
        if (!withRetry) record.retries = without(record.retries, String(eventId));
        return undefined;
      }
      case ActionType.CreateTimer: {
        const finalMs = Date.parse(action.fireAt ?? '');
        if (Number.isNaN(finalMs))
          throw new UnsupportedActionError(`CreateTimer without a valid fireAt: ${action.fireAt}`);
        const purpose: TimerPurpose =
          finalMs - nowMs > MAXIMUM_SHORT_TIMER_IN_MS
            ? { kind: 'longTimer', finalFireAt: new Date(finalMs).toISOString() }
            : { kind: 'user' };
        this.scheduleTimer(record, finalMs, nowMs, newEvents, effects, purpose);
        return undefined;
      }
      case ActionType.WaitForExternalEvent:
        // No id and no event: the EventRaised message itself completes the JS task, matched by name.
        return undefined;
      case ActionType.ContinueAsNew:
        return action;
      case ActionType.WhenAll:
      case ActionType.WhenAny: {
        let found: OrchestratorAction | undefined;
        for (const child of action.compoundActions ?? [])
          found ??= this.scheduleAction(record, child, nowMs, newEvents, effects);
        return found;
      }
      case ActionType.CallEntity:
      case ActionType.SignalEntity:
      case ActionType.LockEntities:
      case ActionType.ReleaseEntities:
        throw new UnsupportedActionError(
          `Durable entities (action type ${action.actionType}) are not supported by the sandbox host`,
        );
      case ActionType.CallHttp:
        throw new UnsupportedActionError('callHttp is not supported by the sandbox host');
      default:
        throw new UnsupportedActionError(`Unknown orchestrator action type ${action.actionType}`);
    }
  }

  private scheduleAttempt(
    record: InstanceRecord,
    attempt: RetryProgress,
    newEvents: HistoryEvent[],
    effects: Effect[],
  ): number {
    const eventId = record.nextEventId++;
    const input = attempt.input === undefined ? null : JSON.stringify(attempt.input);
    if (attempt.kind === 'activity') {
      newEvents.push({
        ...this.newEvent(EventType.TaskScheduled, eventId),
        Name: attempt.name,
        Input: input,
        Version: '',
      });
      effects.push({ kind: 'activity', eventId, name: attempt.name, input: attempt.input });
    } else {
      const childId = attempt.instanceId ?? `${record.instanceId}:${eventId}`;
      newEvents.push({
        ...this.newEvent(EventType.SubOrchestrationInstanceCreated, eventId),
        Name: attempt.name,
        InstanceId: childId,
        Input: input,
        Version: '',
      });
      effects.push({ kind: 'child', eventId, name: attempt.name, childId, input });
    }
    record.retries[String(eventId)] = attempt;
    return eventId;
  }

  /** A timer, or the next leg of a long one (legs of longRunningTimerIntervalDuration until the end). */
  private scheduleTimer(
    record: InstanceRecord,
    finalMs: number,
    nowMs: number,
    newEvents: HistoryEvent[],
    effects: Effect[],
    purpose: TimerPurpose,
  ): void {
    const legMs = finalMs - nowMs > MAXIMUM_SHORT_TIMER_IN_MS ? nowMs + LONG_TIMER_INTERVAL_IN_MS : finalMs;
    const timerId = record.nextEventId++;
    const fireAt = new Date(legMs).toISOString();
    newEvents.push({ ...this.newEvent(EventType.TimerCreated, timerId), FireAt: fireAt });
    if (purpose.kind !== 'user') record.timers[String(timerId)] = purpose;
    effects.push({ kind: 'timer', timerId, fireAt });
  }
}

/**
 * ExecutionStarted first; then messages whose follow-ups take an EventId (a failed retry attempt, a retry
 * timer with attempts left, a long-timer leg before the end) so that those ids come before the ids of any
 * task their neighbours unblock -- the order in which the JS executor numbers them; then the rest.
 */
export function orderMessages(
  record: InstanceRecord,
  messages: HistoryEvent[],
  nowMs: number,
): HistoryEvent[] {
  const rank = (m: HistoryEvent): number => {
    if (m.EventType === EventType.ExecutionStarted) return 0;
    if (
      (m.EventType === EventType.TaskFailed || m.EventType === EventType.SubOrchestrationInstanceFailed) &&
      record.retries[String(m.TaskScheduledId)]
    )
      return 1;
    if (m.EventType === EventType.TimerFired) {
      const purpose = record.timers[String(m.TimerId)];
      if (purpose?.kind === 'retry' && purpose.retry.attempt < purpose.retry.options.maxNumberOfAttempts)
        return 1;
      if (purpose?.kind === 'longTimer' && Date.parse(purpose.finalFireAt) > nowMs) return 1;
    }
    return 2;
  };
  return messages
    .map((m, i) => ({ m, i }))
    .sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i)
    .map((x) => x.m);
}

/** DTFx RetryInterceptor.ComputeNextDelay: first * coefficient^(attempt-1), capped; 0 once timed out. */
function retryDelayInMs(retry: RetryProgress, nowMs: number): number {
  const options = retry.options;
  const timeout = options.retryTimeoutInMilliseconds;
  if (timeout !== undefined && timeout > 0 && nowMs >= Date.parse(retry.firstAttemptAt) + timeout) return 0;
  const coefficient = options.backoffCoefficient ?? 1;
  const delay = options.firstRetryIntervalInMilliseconds * Math.pow(coefficient, retry.attempt - 1);
  const cap = options.maxRetryIntervalInMilliseconds;
  return cap !== undefined && cap > 0 && delay > cap ? cap : delay;
}

function without<T>(map: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _removed, ...rest } = map;
  return rest;
}

/**
 * The sub-orchestration ids the extension refuses (DurableOrchestrationContext.cs,
 * CallDurableTaskFunctionAsync): the orchestration's own id or its parent's (case-insensitively), and a
 * leading `@`. There the ArgumentException faults a task the out-of-proc shim ignores, so the child never
 * starts and the orchestration waits forever; here the orchestration fails with the same message, visibly.
 */
function subOrchestrationIdProblem(
  record: InstanceRecord,
  instanceId: string | undefined,
): string | undefined {
  if (!instanceId) return undefined;
  const same = (other: string | undefined): boolean =>
    other !== undefined && other.toLowerCase() === instanceId.toLowerCase();
  if (same(record.instanceId) || same(record.parent?.instanceId))
    return 'The instance ID of a sub-orchestration must be different than the instance ID of a parent orchestration.';
  if (instanceId.startsWith('@'))
    return "instanceId (Parameter 'Orchestration instance ids must not start with @')";
  return undefined;
}
