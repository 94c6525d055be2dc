// Test infrastructure: a stand-in for the Durable Functions extension (Microsoft.Azure.WebJobs.Extensions.
// DurableTask + DurableTask.Core) driving the app's real durable-functions handlers.
//
// Each orchestration episode works as the extension does for out-of-process workers:
//   1. take the delivered messages (the inbox) and append them to the history after an OrchestratorStarted;
//   2. call the registered orchestrator with the whole history (earlier events IsPlayed=true);
//   3. compare the returned (cumulative) actions with those recorded so far, and schedule only the new ones,
//      giving each task, timer and sub-orchestration the next EventId, as DTFx's idCounter does;
//   4. commit (history, status, custom status, output) to Azurite, then start activities, timers, children.
// The JS SDK numbers tasks itself and matches completions by those numbers, so our ids must advance in the
// same order: actions in the order reported (compound actions depth-first), and the retry and long-timer
// follow-ups (TimerCreated after a failed attempt, TaskScheduled after the retry timer fires) as soon as the
// triggering event is processed, before any action it unblocks -- see durable-functions 3.5
// lib/src/task/RetryableTask.js and LongTimerTask.js, and the extension's OutOfProcOrchestrationShim.
import { randomUUID } from 'node:crypto';
import { actionSignature } from './actionSignature';
import { ConcurrencyLimit } from './ConcurrencyLimit';
import type { CoreBinding, RpcTypedData } from './CoreApiTypes';
import { customStatusSizeProblem } from './customStatusSizeProblem';
import type { DurableClientInput } from './durableClientInput';
import type { DurableStore } from './DurableStore';
import type { FunctionApp, InvocationOutcome } from './FunctionApp';
import { EventType, eventTypeName, type EventTypeName, type HistoryEvent } from './HistoryEvent';
import type { HostClock } from './HostClock';
import { invokeWithTimeout } from './invokeWithTimeout';
import type {
  InstanceRecord,
  ParentLink,
  RetryProgress,
  RuntimeStatus,
  TimerPurpose,
} from './InstanceRecord';
import { ActionType, type OrchestratorAction } from './OrchestratorAction';
import { readOrchestratorOutcome, type OrchestratorOutcome } from './readOrchestratorOutcome';
import { startInstanceIdProblem } from './startInstanceIdProblem';
import { TimerQueue } from './TimerQueue';

export interface DurableExtensionOptions {
  readonly app: FunctionApp;
  readonly store: DurableStore;
  readonly clock: HostClock;
  readonly taskHubName: string;
  /** host.json durableTask.maxConcurrentActivityFunctions. */
  readonly maxConcurrentActivities: number;
  readonly maxConcurrentOrchestrations: number;
  /** Replay every instance from scratch after each episode and fail it if the actions differ. */
  readonly checkDeterminism: boolean;
  /** host.json functionTimeout for activities (undefined: none); a slower activity fails with a timeout. */
  readonly functionTimeoutInMs?: number | undefined;
  /** The durable client binding value, for activities and other functions that declare one. */
  readonly clientInput: () => DurableClientInput;
  readonly log: (message: string) => void;
}

export interface InstanceStatus {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly input: unknown;
  readonly output: unknown;
  readonly customStatus: unknown;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
}

export interface DurableCounters {
  episodes: number;
  replayChecks: number;
  nondeterministic: number;
  activityExecutions: number;
  activityFailures: number;
  timersFired: number;
  eventsRaised: number;
  instancesStarted: number;
}

export interface InstanceQuery {
  readonly runtimeStatus?: readonly RuntimeStatus[];
  readonly createdTimeFrom?: Date;
  readonly createdTimeTo?: Date;
  readonly instanceIdPrefix?: string;
}

export type StartResult =
  | { readonly ok: true; readonly instanceId: string }
  | {
      readonly ok: false;
      readonly reason: 'exists' | 'unknownFunction' | 'invalidInstanceId';
      readonly message: string;
    };

export type ManagementResult = 'accepted' | 'notFound' | 'gone';

export type WaitCondition = RuntimeStatus | readonly RuntimeStatus[] | ((status: InstanceStatus) => boolean);

const TERMINAL: ReadonlySet<RuntimeStatus> = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);
const MAXIMUM_SHORT_TIMER_IN_MS = 6 * 24 * 3600 * 1000;
const LONG_TIMER_INTERVAL_IN_MS = 3 * 24 * 3600 * 1000;

type Effect =
  | { readonly kind: 'activity'; readonly eventId: number; readonly name: string; readonly input: unknown }
  | { readonly kind: 'timer'; readonly timerId: number; readonly fireAt: string }
  | {
      readonly kind: 'child';
      readonly eventId: number;
      readonly name: string;
      readonly childId: string;
      readonly input: string | null;
    }
  | { readonly kind: 'notifyParent'; readonly link: ParentLink; readonly event: HistoryEvent };

/** Raised inside an episode when the orchestrator asks for something the stand-in does not emulate. */
class UnsupportedActionError extends Error {}

export class DurableExtension {
  private readonly records = new Map<string, InstanceRecord>();
  private readonly running = new Set<string>();
  private readonly rerun = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private readonly timers: TimerQueue;
  private readonly activityLimit: ConcurrencyLimit;
  private readonly orchestrationLimit: ConcurrencyLimit;
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;
  private readonly stats: DurableCounters = {
    episodes: 0,
    replayChecks: 0,
    nondeterministic: 0,
    activityExecutions: 0,
    activityFailures: 0,
    timersFired: 0,
    eventsRaised: 0,
    instancesStarted: 0,
  };

  private constructor(private readonly options: DurableExtensionOptions) {
    this.timers = new TimerQueue(options.clock);
    this.activityLimit = new ConcurrencyLimit(options.maxConcurrentActivities);
    this.orchestrationLimit = new ConcurrencyLimit(options.maxConcurrentOrchestrations);
  }

  /** Loads every stored instance and resumes the unfinished ones where they stopped. */
  static async start(options: DurableExtensionOptions): Promise<DurableExtension> {
    const extension = new DurableExtension(options);
    for (const record of await options.store.loadAll()) extension.records.set(record.instanceId, record);
    for (const record of extension.records.values())
      if (!TERMINAL.has(record.runtimeStatus)) extension.recover(record);
    return extension;
  }

  // ---- test and benchmark API ----

  /** Committed history of the current execution (copies). */
  history(instanceId: string): HistoryEvent[] {
    return (this.records.get(instanceId)?.history ?? []).map((e) => ({ ...e }));
  }

  status(instanceId: string): InstanceStatus | undefined {
    const record = this.records.get(instanceId);
    return record ? toStatus(record) : undefined;
  }

  instances(query: InstanceQuery = {}): InstanceStatus[] {
    return [...this.records.values()]
      .filter((r) => matches(r, query))
      .sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0))
      .map(toStatus);
  }

  /** Event counts by type name for an instance's committed history, e.g. { TaskScheduled: 3, ... }. */
  eventCounts(instanceId: string): Partial<Record<EventTypeName, number>> {
    const counts: Partial<Record<EventTypeName, number>> = {};
    for (const event of this.records.get(instanceId)?.history ?? []) {
      const name = eventTypeName(event);
      counts[name] = (counts[name] ?? 0) + 1;
    }
    return counts;
  }

  counters(): DurableCounters {
    return { ...this.stats };
  }

  /** Resolves with the status once `condition` holds; rejects after `timeoutInMs` with the latest status. */
  waitFor(instanceId: string, condition: WaitCondition, timeoutInMs = 10_000): Promise<InstanceStatus> {
    const test =
      typeof condition === 'function'
        ? condition
        : (s: InstanceStatus) =>
            typeof condition === 'string'
              ? s.runtimeStatus === condition
              : condition.includes(s.runtimeStatus);
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const status = this.status(instanceId);
        if (status && test(status)) {
          done();
          resolve(status);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        const status = this.status(instanceId);
        const last = this.history(instanceId)
          .slice(-6)
          .map((e) => eventTypeName(e))
          .join(', ');
        reject(
          new Error(
            `Timed out after ${timeoutInMs} ms waiting for instance "${instanceId}"; it is ` +
              `${status ? `${status.runtimeStatus} (output ${JSON.stringify(status.output)}, last events: ${last})` : 'unknown'}`,
          ),
        );
      }, timeoutInMs);
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = (): void => void check();
      if (!check()) this.listeners.add(listener);
    });
  }

  // ---- management operations (the HTTP API calls these) ----

  async startNew(
    name: string,
    instanceId: string | undefined,
    inputJson: string | null,
  ): Promise<StartResult> {
    const fn = this.options.app.get(name);
    if (!fn || fn.triggerType !== 'orchestrationTrigger')
      return {
        ok: false,
        reason: 'unknownFunction',
        message: `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
      };
    // DurableClient.StartNewAsync: an empty id gets a new GUID ("N" format); a given one is checked.
    const id = instanceId || randomUUID().replace(/-/g, '');
    const problem = startInstanceIdProblem(id);
    if (problem) return { ok: false, reason: 'invalidInstanceId', message: problem };
    const existing = this.records.get(id);
    // With the default OverridableExistingInstanceStates (NonRunningStates), an instance that is Pending,
    // Running, ContinuedAsNew or Suspended is kept and the start fails (DurableTask.AzureStorage
    // AzureStorageOrchestrationService: OrchestrationAlreadyExistsException with this message); a
    // Completed, Failed or Terminated one is replaced by a new execution with a new history and input.
    if (existing && !TERMINAL.has(existing.runtimeStatus))
      return {
        ok: false,
        reason: 'exists',
        message: `An Orchestration instance with the status ${existing.runtimeStatus} already exists.`,
      };
    await this.create(id, fn.name, inputJson, undefined);
    return { ok: true, instanceId: id };
  }

  async raiseEvent(
    instanceId: string,
    eventName: string,
    inputJson: string | null,
  ): Promise<ManagementResult> {
    const record = this.records.get(instanceId);
    if (!record) return 'notFound';
    if (TERMINAL.has(record.runtimeStatus)) return 'gone';
    this.stats.eventsRaised += 1;
    // Events go straight into the history; the JS SDK keeps those that arrive before their waiter.
    await this.deliver(instanceId, undefined, {
      ...this.event(EventType.EventRaised, -1),
      Name: eventName,
      Input: inputJson,
    });
    return 'accepted';
  }

  async terminate(instanceId: string, reason: string): Promise<ManagementResult> {
    const record = this.records.get(instanceId);
    if (!record) return 'notFound';
    if (TERMINAL.has(record.runtimeStatus)) return 'gone';
    // Like the extension, termination is a message: the instance is Terminated once it is processed.
    await this.deliver(instanceId, undefined, {
      ...this.event(EventType.ExecutionTerminated, -1),
      Input: reason,
    });
    return 'accepted';
  }

  async purge(instanceId: string): Promise<boolean> {
    if (!this.records.delete(instanceId)) return false;
    await this.options.store.delete(instanceId);
    this.notify();
    return true;
  }

  async purgeWhere(query: InstanceQuery): Promise<number> {
    const ids = [...this.records.values()].filter((r) => matches(r, query)).map((r) => r.instanceId);
    for (const id of ids) await this.purge(id);
    return ids.length;
  }

  /** Stops like a killed host: nothing more is committed, in-flight results are dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.close();
    this.listeners.clear();
    await this.options.store.close();
  }

  /** Waits until in-flight activities and episodes have finished (they commit nothing once stopped). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  // ---- instances ----

  private async create(
    id: string,
    name: string,
    inputJson: string | null,
    parent: ParentLink | undefined,
  ): Promise<void> {
    const now = this.nowIso();
    const executionId = randomUUID().replace(/-/g, '');
    const started: HistoryEvent = {
      ...this.event(EventType.ExecutionStarted, -1),
      Name: name,
      Input: inputJson,
      Version: '',
      OrchestrationInstance: { InstanceId: id, ExecutionId: executionId },
      ...(parent
        ? {
            ParentInstance: {
              Name: parent.name,
              TaskScheduleId: parent.taskScheduledId,
              OrchestrationInstance: { InstanceId: parent.instanceId, ExecutionId: parent.executionId },
            },
          }
        : {}),
    };
    const record: InstanceRecord = {
      instanceId: id,
      name,
      executionId,
      runtimeStatus: 'Pending',
      input: inputJson,
      output: null,
      customStatus: null,
      createdTime: now,
      lastUpdatedTime: now,
      ...(parent ? { parent } : {}),
      history: [],
      inbox: [started],
      actions: [],
      nextEventId: 0,
      retries: {},
      timers: {},
      episodes: 0,
    };
    this.records.set(id, record);
    this.stats.instancesStarted += 1;
    await this.options.store.save(record);
    this.notify();
    this.schedule(id);
  }

  /** Adds a message to an instance's inbox (durably) and schedules an episode. */
  private async deliver(
    instanceId: string,
    executionId: string | undefined,
    event: HistoryEvent,
  ): Promise<void> {
    if (this.stopped) return;
    const record = this.records.get(instanceId);
    // Messages for an instance that is gone, finished, or restarted (ContinueAsNew) are dropped, as DTFx does.
    if (!record || TERMINAL.has(record.runtimeStatus)) return;
    if (executionId !== undefined && executionId !== record.executionId) return;
    record.inbox.push(event);
    await this.options.store.save(record);
    this.schedule(instanceId);
  }

  private schedule(instanceId: string): void {
    if (this.stopped) return;
    if (this.running.has(instanceId)) {
      this.rerun.add(instanceId);
      return;
    }
    this.running.add(instanceId);
    this.track(
      this.orchestrationLimit
        .run(async () => {
          do {
            this.rerun.delete(instanceId);
            const record = this.records.get(instanceId);
            if (!record || this.stopped || record.inbox.length === 0) break;
            await this.runEpisode(record).catch((error: unknown) => this.crashed(record, error));
          } while (this.rerun.has(instanceId) || (this.records.get(instanceId)?.inbox.length ?? 0) > 0);
        })
        .catch((error: unknown) =>
          this.options.log(`episode loop for ${instanceId} crashed: ${describeError(error)}`),
        )
        .finally(() => this.running.delete(instanceId)),
    );
  }

  // ---- one episode ----

  private async runEpisode(record: InstanceRecord): Promise<void> {
    if (TERMINAL.has(record.runtimeStatus)) {
      record.inbox = [];
      return;
    }
    const consumed = record.inbox.length;
    const nowMs = this.options.clock.now();
    const now = new Date(nowMs).toISOString();
    const messages = orderMessages(record, record.inbox.slice(0, consumed), nowMs);
    const draft = cloneForEpisode(record);
    const newEvents: HistoryEvent[] = [{ ...this.event(EventType.OrchestratorStarted, -1), Timestamp: now }];
    const effects: Effect[] = [];

    const termination = messages.find((m) => m.EventType === EventType.ExecutionTerminated);
    if (termination) {
      newEvents.push({ ...termination, IsPlayed: false });
      const reason = termination.Input ?? '';
      newEvents.push(this.completionEvent(now, 'Terminated', JSON.stringify(reason)));
      draft.runtimeStatus = 'Terminated';
      draft.output = JSON.stringify(reason);
      if (draft.parent)
        effects.push(
          this.parentNotice(draft, false, `Orchestration terminated: ${reason}`, JSON.stringify(reason)),
        );
      await this.commit(record, draft, newEvents, now, consumed, effects);
      return;
    }

    for (const message of messages) {
      if (message.EventType === EventType.ExecutionStarted) draft.runtimeStatus = 'Running';
      newEvents.push({ ...message, IsPlayed: false, Timestamp: message.Timestamp });
      this.followUps(draft, message, nowMs, newEvents, effects);
    }

    const outcome = await this.invokeOrchestrator(draft, [...played(draft.history), ...newEvents]);
    if (this.stopped) return;
    const state = outcome.state;
    const actions = state?.actions ?? [];

    const mismatch = compareActions(draft.actions, actions, outcome.kind === 'state');
    if (mismatch) {
      await this.failNondeterministic(record, draft, newEvents, now, consumed, mismatch);
      return;
    }

    // The extension sets the custom status before it schedules anything of the episode; one over 16 KB
    // throws there and fails the instance, which then keeps no custom status (DurableTask.AzureStorage
    // writes CustomStatus "null" when the episode set none: AzureTableTrackingStore.UpdateStateAsync).
    // A failed episode's exception is not wrapped in "Orchestrator function '...' failed" there.
    const customStatusJson =
      state?.customStatus === undefined ? null : (JSON.stringify(state.customStatus) ?? null);
    const tooLarge = customStatusSizeProblem(customStatusJson);
    if (tooLarge) {
      draft.customStatus = null;
      const message =
        outcome.kind === 'state' ? `Orchestrator function '${draft.name}' failed: ${tooLarge}` : tooLarge;
      this.options.log(`${record.instanceId}: ${message}`);
      await this.failInstance(record, draft, newEvents, now, consumed, message);
      return;
    }

    let continueAsNew: OrchestratorAction | undefined;
    try {
      for (const action of actions.slice(draft.actions.length)) {
        const found = this.scheduleAction(draft, action, nowMs, newEvents, effects);
        continueAsNew ??= found;
      }
    } catch (error) {
      if (!(error instanceof UnsupportedActionError)) throw error;
      await this.failInstance(record, draft, newEvents, now, consumed, error.message);
      return;
    }
    draft.actions = [...actions];
    if (state) draft.customStatus = customStatusJson;

    if (outcome.kind === 'failed') {
      const message = `Orchestrator function '${draft.name}' failed: ${outcome.message}`;
      await this.failInstance(record, draft, newEvents, now, consumed, message);
      return;
    }
    if (outcome.state.isDone && continueAsNew) {
      newEvents.push({ ...this.event(EventType.ContinueAsNew, -1), Timestamp: now });
    } else if (outcome.state.isDone) {
      const output = JSON.stringify(outcome.state.output) ?? 'null';
      draft.runtimeStatus = 'Completed';
      draft.output = output;
      newEvents.push(this.completionEvent(now, 'Completed', output));
      if (draft.parent) effects.push(this.parentNotice(draft, true, undefined, output));
    }

    if (this.options.checkDeterminism) {
      const replayMismatch = await this.replayFromScratch(
        draft,
        [...played(draft.history), ...newEvents],
        actions,
        outcome,
      );
      if (this.stopped) return;
      if (replayMismatch) {
        await this.failNondeterministic(
          record,
          cloneForEpisode(record),
          newEvents.slice(0, 1),
          now,
          consumed,
          replayMismatch,
        );
        return;
      }
    }

    if (continueAsNew) {
      await this.commit(record, draft, newEvents, now, consumed, effects);
      await this.continueAsNew(record, continueAsNew);
      return;
    }
    await this.commit(record, draft, newEvents, now, consumed, effects);
  }

  /** A bug in the stand-in (or a store failure) fails the instance visibly instead of leaving it hanging. */
  private async crashed(record: InstanceRecord, error: unknown): Promise<void> {
    this.options.log(`episode for ${record.instanceId} crashed: ${describeError(error)}`);
    if (this.stopped || TERMINAL.has(record.runtimeStatus)) return;
    const now = this.nowIso();
    const started = { ...this.event(EventType.OrchestratorStarted, -1), Timestamp: now };
    const message = `The sandbox host failed while running this instance: ${describeError(error)}`;
    await this.failInstance(record, cloneForEpisode(record), [started], now, record.inbox.length, message);
  }

  private async invokeOrchestrator(
    record: InstanceRecord,
    history: HistoryEvent[],
  ): Promise<OrchestratorOutcome> {
    const fn = this.options.app.get(record.name);
    if (!fn || fn.triggerType !== 'orchestrationTrigger')
      return {
        kind: 'failed',
        message: `The function '${record.name}' doesn't exist or is not an orchestrator function.`,
      };
    // The orchestrationTrigger payload of the out-of-process protocol; every key here is required
    // (FACTS.md "durable-functions 3.5 outside the host"). upperSchemaVersion 3 is ReplaySchema.V4.
    const trigger = {
      history,
      input: record.input === null ? null : (JSON.parse(record.input) as unknown),
      instanceId: record.instanceId,
      isReplaying: history.some((e) => e.IsPlayed),
      parentInstanceId: record.parent?.instanceId,
      upperSchemaVersion: 3,
      longRunningTimerIntervalDuration: '3.00:00:00',
      maximumShortTimerDuration: '6.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
    };
    this.stats.episodes += 1;
    const outcome: InvocationOutcome = await this.options.app.invoke(fn.name, {
      triggerData: { json: JSON.stringify(trigger) },
    });
    return readOrchestratorOutcome(outcome);
  }

  /** Replays the whole history, every event played, and reports how its actions differ, if they do. */
  private async replayFromScratch(
    record: InstanceRecord,
    history: HistoryEvent[],
    expected: readonly OrchestratorAction[],
    expectedOutcome: OrchestratorOutcome,
  ): Promise<string | undefined> {
    this.stats.replayChecks += 1;
    const replay = await this.invokeOrchestrator(
      record,
      history.map((e) => ({ ...e, IsPlayed: true })),
    );
    const actions = (replay.kind === 'state' ? replay.state.actions : replay.state?.actions) ?? [];
    const differs = compareActions(expected, actions, true) ?? compareActions(actions, expected, true);
    if (differs) return differs;
    if (replay.kind !== expectedOutcome.kind)
      return `the replay ${replay.kind === 'failed' ? `failed (${replay.message})` : 'succeeded'} but the episode did not`;
    if (
      replay.kind === 'state' &&
      expectedOutcome.kind === 'state' &&
      replay.state.isDone !== expectedOutcome.state.isDone
    )
      return 'the replay and the episode disagree on whether the orchestration is done';
    return undefined;
  }

  /** Retry and long-timer follow-ups the extension adds while processing one message. */
  private followUps(
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
          this.options.log(
            `${record.instanceId}: retry timeout of ${retry.name} passed; no retry timer created`,
          );
          return;
        }
        const timerId = record.nextEventId++;
        const fireAt = new Date(nowMs + delay).toISOString();
        newEvents.push({ ...this.event(EventType.TimerCreated, timerId), FireAt: fireAt });
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
        ...this.event(EventType.TaskScheduled, eventId),
        Name: attempt.name,
        Input: input,
        Version: '',
      });
      effects.push({ kind: 'activity', eventId, name: attempt.name, input: attempt.input });
    } else {
      const childId = attempt.instanceId ?? `${record.instanceId}:${eventId}`;
      newEvents.push({
        ...this.event(EventType.SubOrchestrationInstanceCreated, eventId),
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
    newEvents.push({ ...this.event(EventType.TimerCreated, timerId), FireAt: fireAt });
    if (purpose.kind !== 'user') record.timers[String(timerId)] = purpose;
    effects.push({ kind: 'timer', timerId, fireAt });
  }

  // ---- ending an episode ----

  private async commit(
    record: InstanceRecord,
    draft: InstanceRecord,
    newEvents: HistoryEvent[],
    now: string,
    consumed: number,
    effects: Effect[],
  ): Promise<void> {
    if (this.stopped || this.records.get(record.instanceId) !== record) return;
    this.stamp(newEvents, 1, now);
    newEvents.push({ ...this.event(EventType.OrchestratorCompleted, -1), Timestamp: now });
    record.runtimeStatus = draft.runtimeStatus;
    record.output = draft.output;
    record.customStatus = draft.customStatus;
    record.actions = draft.actions;
    record.nextEventId = draft.nextEventId;
    record.retries = draft.retries;
    record.timers = draft.timers;
    record.history = [...record.history, ...newEvents.map((e) => ({ ...e, IsPlayed: true }))];
    // Messages that arrived while the orchestrator ran stay for the next episode.
    record.inbox = TERMINAL.has(record.runtimeStatus) ? [] : record.inbox.slice(consumed);
    record.lastUpdatedTime = now;
    record.episodes += 1;
    await this.options.store.save(record);
    if (this.stopped) return;
    this.notify();
    for (const effect of effects) await this.apply(record, effect);
  }

  private async failInstance(
    record: InstanceRecord,
    draft: InstanceRecord,
    newEvents: HistoryEvent[],
    now: string,
    consumed: number,
    message: string,
  ): Promise<void> {
    draft.runtimeStatus = 'Failed';
    draft.output = JSON.stringify(message);
    newEvents.push({
      ...this.completionEvent(now, 'Failed', draft.output),
      FailureDetails: { ErrorMessage: message },
    });
    const effects: Effect[] = draft.parent ? [this.parentNotice(draft, false, message, draft.output)] : [];
    await this.commit(record, draft, newEvents, now, consumed, effects);
  }

  private async failNondeterministic(
    record: InstanceRecord,
    draft: InstanceRecord,
    newEvents: HistoryEvent[],
    now: string,
    consumed: number,
    detail: string,
  ): Promise<void> {
    this.stats.nondeterministic += 1;
    const message =
      `Orchestrator function '${record.name}' failed: nondeterministic orchestration (Non-Deterministic ` +
      `workflow detected): ${detail}. Was a change made to the orchestrator code after this instance had ` +
      'already started running, or does it use Date.now(), Math.random(), I/O or other non-replayable calls?';
    this.options.log(`${record.instanceId}: ${message}`);
    await this.failInstance(record, draft, newEvents, now, consumed, message);
  }

  private async continueAsNew(record: InstanceRecord, action: OrchestratorAction): Promise<void> {
    if (this.stopped) return;
    // durable-functions JSON-encodes string inputs once more (Utils.processInput); undo it here.
    let input = action.input;
    if (typeof input === 'string') {
      try {
        input = JSON.parse(input) as unknown;
      } catch {
        // not an encoded string: keep it
      }
    }
    const inputJson = input === undefined ? null : JSON.stringify(input);
    const carried = record.inbox.filter((e) => e.EventType === EventType.EventRaised);
    record.executionId = randomUUID().replace(/-/g, '');
    record.history = [];
    record.actions = [];
    record.nextEventId = 0;
    record.retries = {};
    record.timers = {};
    record.input = inputJson;
    record.output = null;
    record.runtimeStatus = 'Running';
    record.inbox = [
      {
        ...this.event(EventType.ExecutionStarted, -1),
        Name: record.name,
        Input: inputJson,
        Version: '',
        OrchestrationInstance: { InstanceId: record.instanceId, ExecutionId: record.executionId },
      },
      ...carried,
    ];
    await this.options.store.save(record);
    this.notify();
    this.schedule(record.instanceId);
  }

  private completionEvent(now: string, status: RuntimeStatus, result: string | null): HistoryEvent {
    return {
      ...this.event(EventType.ExecutionCompleted, -1),
      Timestamp: now,
      OrchestrationStatus: status,
      Result: result,
    };
  }

  private parentNotice(
    child: InstanceRecord,
    succeeded: boolean,
    reason: string | undefined,
    output: string | null,
  ): Effect {
    const link = child.parent as ParentLink;
    const event: HistoryEvent = succeeded
      ? {
          ...this.event(EventType.SubOrchestrationInstanceCompleted, -1),
          TaskScheduledId: link.taskScheduledId,
          Result: output ?? 'null',
        }
      : {
          ...this.event(EventType.SubOrchestrationInstanceFailed, -1),
          TaskScheduledId: link.taskScheduledId,
          Reason: reason ?? `Orchestrator function '${child.name}' failed`,
          Details: output ?? '',
        };
    return { kind: 'notifyParent', link, event };
  }

  // ---- side effects ----

  private async apply(record: InstanceRecord, effect: Effect): Promise<void> {
    const { instanceId, executionId } = record;
    switch (effect.kind) {
      case 'activity':
        this.runActivity(instanceId, executionId, effect.eventId, effect.name, effect.input);
        return;
      case 'timer':
        this.armTimer(instanceId, executionId, effect.timerId, effect.fireAt);
        return;
      case 'child':
        await this.startChild(record, effect.eventId, effect.name, effect.childId, effect.input);
        return;
      case 'notifyParent':
        await this.deliver(effect.link.instanceId, effect.link.executionId, effect.event);
        return;
    }
  }

  private armTimer(instanceId: string, executionId: string, timerId: number, fireAt: string): void {
    this.timers.schedule(`${instanceId}|${executionId}|${timerId}`, Date.parse(fireAt), () => {
      this.stats.timersFired += 1;
      this.track(
        this.deliver(instanceId, executionId, {
          ...this.event(EventType.TimerFired, -1),
          TimerId: timerId,
          FireAt: fireAt,
        }),
      );
    });
  }

  private runActivity(
    instanceId: string,
    executionId: string,
    eventId: number,
    name: string,
    input: unknown,
  ): void {
    const fn = this.options.app.get(name);
    const run = this.activityLimit.run(async (): Promise<HistoryEvent | undefined> => {
      if (this.stopped) return undefined;
      if (!fn || fn.triggerType !== 'activityTrigger')
        return this.taskFailed(
          eventId,
          `The function '${name}' doesn't exist, is disabled, or is not an activity function.`,
          '',
        );
      this.stats.activityExecutions += 1;
      const outcome = await invokeWithTimeout(
        this.options.app,
        fn.name,
        { triggerData: activityInputData(input), resolveInput: (binding) => this.resolveInput(binding) },
        this.options.functionTimeoutInMs,
        this.options.log,
      );
      if (outcome.ok) {
        return {
          ...this.event(EventType.TaskCompleted, -1),
          TaskScheduledId: eventId,
          Result: resultJson(outcome.response.returnValue),
        };
      }
      this.stats.activityFailures += 1;
      return this.activityFailure(eventId, name, outcome.error);
    });
    this.track(
      run
        .then((event) => (event && !this.stopped ? this.deliver(instanceId, executionId, event) : undefined))
        .catch((error: unknown) =>
          this.options.log(`activity ${name} for ${instanceId} crashed: ${describeError(error)}`),
        ),
    );
  }

  private activityFailure(eventId: number, name: string, error: unknown): HistoryEvent {
    const message = error instanceof Error ? error.message : String(error);
    // With an exception properties provider registered, durable-functions puts FailureDetails JSON in the
    // message (app.js wrapActivityHandler); the extension passes it on as the event's FailureDetails.
    const details = parseFailureDetails(message);
    if (details)
      return {
        ...this.event(EventType.TaskFailed, -1),
        TaskScheduledId: eventId,
        Reason: `Activity function '${name}' failed: ${String(details.ErrorMessage ?? '')}`,
        Details: String(details.StackTrace ?? ''),
        FailureDetails: details,
      };
    const stack = error instanceof Error && error.stack ? error.stack : message;
    return this.taskFailed(eventId, `Activity function '${name}' failed: ${message}`, stack);
  }

  private taskFailed(eventId: number, reason: string, details: string): HistoryEvent {
    return {
      ...this.event(EventType.TaskFailed, -1),
      TaskScheduledId: eventId,
      Reason: reason,
      Details: details,
    };
  }

  private resolveInput(binding: CoreBinding): RpcTypedData | undefined {
    const type = binding.type.toLowerCase();
    if (type === 'durableclient' || type === 'orchestrationclient')
      return { json: JSON.stringify(this.options.clientInput()) };
    return undefined;
  }

  private async startChild(
    parent: InstanceRecord,
    eventId: number,
    name: string,
    childId: string,
    input: string | null,
  ): Promise<void> {
    const link: ParentLink = {
      instanceId: parent.instanceId,
      executionId: parent.executionId,
      name: parent.name,
      taskScheduledId: eventId,
    };
    const fail = (reason: string): Promise<void> =>
      this.deliver(parent.instanceId, parent.executionId, {
        ...this.event(EventType.SubOrchestrationInstanceFailed, -1),
        TaskScheduledId: eventId,
        Reason: reason,
        Details: '',
      });
    const fn = this.options.app.get(name);
    if (!fn || fn.triggerType !== 'orchestrationTrigger')
      return fail(`The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    const existing = this.records.get(childId);
    if (existing && !TERMINAL.has(existing.runtimeStatus)) {
      if (sameLink(existing.parent, link)) return;
      return fail(`An Orchestration instance with the ID '${childId}' already exists.`);
    }
    await this.create(childId, fn.name, input, link);
  }

  // ---- recovery after a restart ----

  private recover(record: InstanceRecord): void {
    const known = [...record.history, ...record.inbox];
    const finished = new Set<number>();
    for (const event of known) {
      if (event.TaskScheduledId !== undefined) finished.add(event.TaskScheduledId);
      if (event.EventType === EventType.TimerFired && event.TimerId !== undefined)
        finished.add(event.TimerId);
    }
    for (const event of record.history) {
      if (event.EventId < 0 || finished.has(event.EventId)) continue;
      switch (event.EventType) {
        case EventType.TaskScheduled:
          // At least once: an activity that was running when the host died runs again.
          this.runActivity(
            record.instanceId,
            record.executionId,
            event.EventId,
            event.Name ?? '',
            parseInput(event.Input),
          );
          break;
        case EventType.TimerCreated:
          this.armTimer(
            record.instanceId,
            record.executionId,
            event.EventId,
            event.FireAt ?? new Date(0).toISOString(),
          );
          break;
        case EventType.SubOrchestrationInstanceCreated:
          this.track(this.recoverChild(record, event));
          break;
        default:
          break;
      }
    }
    if (record.inbox.length > 0) this.schedule(record.instanceId);
  }

  private async recoverChild(parent: InstanceRecord, created: HistoryEvent): Promise<void> {
    const childId = created.InstanceId ?? '';
    const child = this.records.get(childId);
    const link: ParentLink = {
      instanceId: parent.instanceId,
      executionId: parent.executionId,
      name: parent.name,
      taskScheduledId: created.EventId,
    };
    if (!child || (TERMINAL.has(child.runtimeStatus) && !sameLink(child.parent, link))) {
      await this.startChild(parent, created.EventId, created.Name ?? '', childId, created.Input ?? null);
      return;
    }
    if (!TERMINAL.has(child.runtimeStatus)) return;
    // The child finished but its completion never reached the parent before the host stopped.
    const notice = this.parentNotice(
      child,
      child.runtimeStatus === 'Completed',
      `Orchestrator function '${child.name}' failed`,
      child.output,
    );
    if (notice.kind === 'notifyParent')
      await this.deliver(parent.instanceId, parent.executionId, notice.event);
  }

  // ---- helpers ----

  private event(type: HistoryEvent['EventType'], eventId: number): HistoryEvent {
    return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: this.nowIso() };
  }

  /** Events the extension adds during an episode carry the episode's time; delivered messages keep theirs. */
  private stamp(events: HistoryEvent[], from: number, now: string): void {
    for (let i = from; i < events.length; i++) {
      const event = events[i] as HistoryEvent;
      if (event.EventId >= 0) events[i] = { ...event, Timestamp: now };
    }
  }

  private nowIso(): string {
    return new Date(this.options.clock.now()).toISOString();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }
}

function toStatus(record: InstanceRecord): InstanceStatus {
  return {
    instanceId: record.instanceId,
    name: record.name,
    runtimeStatus: record.runtimeStatus,
    input: parseInput(record.input),
    output: parseInput(record.output),
    customStatus: parseInput(record.customStatus),
    createdTime: record.createdTime,
    lastUpdatedTime: record.lastUpdatedTime,
  };
}

function parseInput(json: string | null | undefined): unknown {
  if (json === null || json === undefined) return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
}

function matches(record: InstanceRecord, query: InstanceQuery): boolean {
  const created = Date.parse(record.createdTime);
  if (
    query.runtimeStatus &&
    query.runtimeStatus.length > 0 &&
    !query.runtimeStatus.includes(record.runtimeStatus)
  )
    return false;
  if (query.createdTimeFrom && created < query.createdTimeFrom.getTime()) return false;
  if (query.createdTimeTo && created > query.createdTimeTo.getTime()) return false;
  if (query.instanceIdPrefix && !record.instanceId.startsWith(query.instanceIdPrefix)) return false;
  return true;
}

/** Committed events as the next episode sees them. */
function played(history: readonly HistoryEvent[]): HistoryEvent[] {
  return history.map((e) => ({ ...e, IsPlayed: true }));
}

/** A copy an episode may change freely; only `commit` writes it back. */
function cloneForEpisode(record: InstanceRecord): InstanceRecord {
  return {
    ...record,
    retries: { ...record.retries },
    timers: { ...record.timers },
    actions: [...record.actions],
  };
}

/**
 * ExecutionStarted first; then messages whose follow-ups take an EventId (a failed retry attempt, a retry
 * timer with attempts left, a long-timer leg before the end) so that those ids come before the ids of any
 * task their neighbours unblock -- the order in which the JS executor numbers them; then the rest.
 */
function orderMessages(record: InstanceRecord, messages: HistoryEvent[], nowMs: number): HistoryEvent[] {
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

/**
 * How `actual` departs from the `recorded` actions of earlier episodes: each recorded action must repeat.
 * An orchestration that fails may stop early; one that does not must reach at least as far as before.
 */
function compareActions(
  recorded: readonly OrchestratorAction[],
  actual: readonly OrchestratorAction[],
  mustReachEnd: boolean,
): string | undefined {
  const shared = Math.min(recorded.length, actual.length);
  for (let i = 0; i < shared; i++) {
    const before = recorded[i] as OrchestratorAction;
    const now = actual[i] as OrchestratorAction;
    if (actionSignature(before) !== actionSignature(now))
      return `action #${i} was ${describeAction(before)} in an earlier execution but is ${describeAction(now)} on replay`;
  }
  if (mustReachEnd && actual.length < recorded.length)
    return `the replay produced ${actual.length} actions but ${recorded.length} were recorded (next expected: ${describeAction(recorded[actual.length] as OrchestratorAction)})`;
  return undefined;
}

function describeAction(action: OrchestratorAction): string {
  const name = action.functionName ?? action.externalEventName ?? action.fireAt ?? '';
  const type =
    Object.entries(ActionType).find(([, v]) => v === action.actionType)?.[0] ?? String(action.actionType);
  return `${type}${name ? ` '${name}'` : ''}`;
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

/**
 * An activity's input as the worker receives it. durable-functions has already JSON-encoded string inputs
 * (Utils.processInput), so a string goes as-is and @azure/functions' tryJsonParse decodes it once.
 */
function activityInputData(input: unknown): RpcTypedData | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input === 'string') return { string: input };
  return { json: JSON.stringify(input) };
}

/** An activity's return value (RPC typed data) as the JSON text stored in TaskCompleted.Result. */
function resultJson(value: RpcTypedData | null | undefined): string {
  if (!value) return 'null';
  if (value.json !== undefined) return value.json;
  if (value.string !== undefined) return JSON.stringify(value.string);
  if (value.int !== undefined) return JSON.stringify(value.int);
  if (value.double !== undefined) return JSON.stringify(value.double);
  if (value.bytes !== undefined) return JSON.stringify(Buffer.from(value.bytes).toString('base64'));
  return 'null';
}

function parseFailureDetails(message: string): Record<string, unknown> | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(message) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const details = value as Record<string, unknown>;
    if (typeof details.errorType !== 'string' || typeof details.errorMessage !== 'string') return undefined;
    return {
      ErrorType: details.errorType,
      ErrorMessage: details.errorMessage,
      StackTrace: details.stackTrace,
      IsNonRetriable: details.isNonRetriable ?? false,
      Properties: details.properties,
    };
  } catch {
    return undefined;
  }
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

function sameLink(a: ParentLink | undefined, b: ParentLink): boolean {
  return !!a && a.instanceId === b.instanceId && a.taskScheduledId === b.taskScheduledId;
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
