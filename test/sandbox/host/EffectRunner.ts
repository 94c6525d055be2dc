// Test infrastructure: what an episode sets in motion on the Durable stand-in. Its events are appended to
// the history and stored in Azurite first, as the extension commits an episode before it sends its
// messages; then the scheduled work runs: activities (at most maxConcurrentActivityFunctions at once, each
// within functionTimeout), durable timers, sub-orchestrations, and the completion message to a parent.
// Each result comes back to its instance as a message.
import { ConcurrencyLimit } from './ConcurrencyLimit';
import { reachedCrashPoint } from './HostCrash';
import type { CoreBinding, RpcTypedData } from './CoreApiTypes';
import type { DurableClientInput } from './durableClientInput';
import type { FunctionApp } from './FunctionApp';
import { EventType, type HistoryEvent } from './HistoryEvent';
import type { HostClock } from './HostClock';
import type { InstanceRecord, ParentLink } from './InstanceRecord';
import { describeError, isTerminal, type InstanceTable } from './InstanceTable';
import { invokeWithTimeout } from './invokeWithTimeout';
import { TimerQueue } from './TimerQueue';

/** Work an episode scheduled, run once the episode is committed. */
export type Effect =
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

/** One orchestrator episode on its way to being committed. */
export interface Episode {
  /** The stored record; only `commit` changes it. */
  readonly record: InstanceRecord;
  /** The copy the episode changes (status, output, actions, ids, retry and timer bookkeeping). */
  readonly draft: InstanceRecord;
  /** The events the episode adds to the history, starting with its OrchestratorStarted. */
  readonly newEvents: HistoryEvent[];
  /** The episode's time, as an ISO string. */
  readonly now: string;
  /** How many inbox messages the episode took; messages that arrived later wait for the next one. */
  readonly consumed: number;
}

export interface EffectRunnerOptions {
  readonly app: FunctionApp;
  readonly clock: HostClock;
  /** host.json durableTask.maxConcurrentActivityFunctions. */
  readonly maxConcurrentActivities: number;
  /** host.json functionTimeout for activities (undefined: none); a slower activity fails with a timeout. */
  readonly functionTimeoutInMs?: number | undefined;
  /** The durable client binding value, for activities and other functions that declare one. */
  readonly clientInput: () => DurableClientInput;
  readonly log: (message: string) => void;
}

export class EffectRunner {
  private readonly timers: TimerQueue;
  private readonly activityLimit: ConcurrencyLimit;

  constructor(
    private readonly options: EffectRunnerOptions,
    private readonly instances: InstanceTable,
  ) {
    this.timers = new TimerQueue(options.clock);
    this.activityLimit = new ConcurrencyLimit(options.maxConcurrentActivities);
  }

  /** Stops the timers, as a killed host's timers stop. */
  close(): void {
    this.timers.close();
  }

  /**
   * Ends an episode: appends its events to the history, moves the draft's state into the record, drops
   * the consumed messages from the inbox, stores the record, then runs the episode's `effects`.
   */
  async commit(episode: Episode, effects: Effect[]): Promise<void> {
    const { record, draft, newEvents, now, consumed } = episode;
    if (this.instances.stopped || this.instances.get(record.instanceId) !== record) return;
    stamp(newEvents, 1, now);
    newEvents.push({ ...this.instances.event(EventType.OrchestratorCompleted, -1), Timestamp: now });
    record.runtimeStatus = draft.runtimeStatus;
    record.output = draft.output;
    record.customStatus = draft.customStatus;
    record.actions = draft.actions;
    record.nextEventId = draft.nextEventId;
    record.retries = draft.retries;
    record.timers = draft.timers;
    record.history = [...record.history, ...newEvents.map((e) => ({ ...e, IsPlayed: true }))];
    // Messages that arrived while the orchestrator ran stay for the next episode.
    record.inbox = isTerminal(record.runtimeStatus) ? [] : record.inbox.slice(consumed);
    record.lastUpdatedTime = now;
    record.episodes += 1;
    await this.instances.save(record);
    reachedCrashPoint('commit');
    if (this.instances.stopped) return;
    this.instances.notify();
    for (const effect of effects) await this.apply(record, effect);
  }

  /** The message that tells `child`'s parent orchestration how the child ended. */
  parentNotice(
    child: InstanceRecord,
    succeeded: boolean,
    reason: string | undefined,
    output: string | null,
  ): Effect {
    const link = child.parent as ParentLink;
    const event: HistoryEvent = succeeded
      ? {
          ...this.instances.event(EventType.SubOrchestrationInstanceCompleted, -1),
          TaskScheduledId: link.taskScheduledId,
          Result: output ?? 'null',
        }
      : {
          ...this.instances.event(EventType.SubOrchestrationInstanceFailed, -1),
          TaskScheduledId: link.taskScheduledId,
          Reason: reason ?? `Orchestrator function '${child.name}' failed`,
          Details: output ?? '',
        };
    return { kind: 'notifyParent', link, event };
  }

  armTimer(instanceId: string, executionId: string, timerId: number, fireAt: string): void {
    this.timers.schedule(`${instanceId}|${executionId}|${timerId}`, Date.parse(fireAt), () => {
      this.instances.stats.timersFired += 1;
      this.instances.track(
        this.instances.deliver(instanceId, executionId, {
          ...this.instances.event(EventType.TimerFired, -1),
          TimerId: timerId,
          FireAt: fireAt,
        }),
      );
    });
  }

  runActivity(instanceId: string, executionId: string, eventId: number, name: string, input: unknown): void {
    const fn = this.options.app.get(name);
    const run = this.activityLimit.run(async (): Promise<HistoryEvent | undefined> => {
      if (this.instances.stopped) return undefined;
      if (!fn || fn.triggerType !== 'activityTrigger')
        return this.taskFailed(
          eventId,
          `The function '${name}' doesn't exist, is disabled, or is not an activity function.`,
          '',
        );
      this.instances.stats.activityExecutions += 1;
      reachedCrashPoint('activity', { name, instanceId });
      const outcome = await invokeWithTimeout(
        this.options.app,
        fn.name,
        { triggerData: activityInputData(input), resolveInput: (binding) => this.resolveInput(binding) },
        this.options.functionTimeoutInMs,
        this.options.log,
      );
      if (outcome.ok) {
        return {
          ...this.instances.event(EventType.TaskCompleted, -1),
          TaskScheduledId: eventId,
          Result: resultJson(outcome.response.returnValue),
        };
      }
      this.instances.stats.activityFailures += 1;
      return this.activityFailure(eventId, name, outcome.error);
    });
    this.instances.track(
      run
        .then((event) =>
          event && !this.instances.stopped
            ? this.instances.deliver(instanceId, executionId, event)
            : undefined,
        )
        .catch((error: unknown) =>
          this.options.log(`activity ${name} for ${instanceId} crashed: ${describeError(error)}`),
        ),
    );
  }

  async startChild(
    parent: InstanceRecord,
    eventId: number,
    name: string,
    childId: string,
    input: string | null,
  ): Promise<void> {
    const link = parentLink(parent, eventId);
    const fail = (reason: string): Promise<void> =>
      this.instances.deliver(parent.instanceId, parent.executionId, {
        ...this.instances.event(EventType.SubOrchestrationInstanceFailed, -1),
        TaskScheduledId: eventId,
        Reason: reason,
        Details: '',
      });
    const fn = this.options.app.get(name);
    if (!fn || fn.triggerType !== 'orchestrationTrigger')
      return fail(`The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    const existing = this.instances.get(childId);
    if (existing && !isTerminal(existing.runtimeStatus)) {
      if (sameLink(existing.parent, link)) return;
      return fail(`An Orchestration instance with the ID '${childId}' already exists.`);
    }
    await this.instances.create(childId, fn.name, input, link);
  }

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
        await this.instances.deliver(effect.link.instanceId, effect.link.executionId, effect.event);
        return;
    }
  }

  private activityFailure(eventId: number, name: string, error: unknown): HistoryEvent {
    const message = error instanceof Error ? error.message : String(error);
    // With an exception properties provider registered, durable-functions puts FailureDetails JSON in the
    // message (app.js wrapActivityHandler); the extension passes it on as the event's FailureDetails.
    const details = parseFailureDetails(message);
    if (details)
      return {
        ...this.instances.event(EventType.TaskFailed, -1),
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
      ...this.instances.event(EventType.TaskFailed, -1),
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
}

/** How a child started by `parent`'s task `eventId` refers to it. */
export function parentLink(parent: InstanceRecord, eventId: number): ParentLink {
  return {
    instanceId: parent.instanceId,
    executionId: parent.executionId,
    name: parent.name,
    taskScheduledId: eventId,
  };
}

/** Whether a child instance was started by this parent's task (a re-sent start is then a no-op). */
export function sameLink(a: ParentLink | undefined, b: ParentLink): boolean {
  return !!a && a.instanceId === b.instanceId && a.taskScheduledId === b.taskScheduledId;
}

/** Events the extension adds during an episode carry the episode's time; delivered messages keep theirs. */
function stamp(events: HistoryEvent[], from: number, now: string): void {
  for (let i = from; i < events.length; i++) {
    const event = events[i] as HistoryEvent;
    if (event.EventId >= 0) events[i] = { ...event, Timestamp: now };
  }
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
