// Test infrastructure: a stand-in for the Durable Functions extension (Microsoft.Azure.WebJobs.Extensions.
// DurableTask + DurableTask.Core) driving the app's real durable-functions handlers. This class is what
// the host, its HTTP API (DurableHttpApi) and tests see; the work is done by its parts:
//   - InstanceTable: the instances, their inboxes in Azurite, and the messages sent to them;
//   - EpisodeRunner: one orchestrator episode (trigger input, invocation, outcome, replay check);
//   - ActionScheduler: the returned actions as scheduled work with the extension's EventIds;
//   - EffectRunner: the committed episode's work (activities, timers, sub-orchestrations, parents);
//   - InstanceRecovery: resuming unfinished instances after a host was killed.
import { randomUUID } from 'node:crypto';
import { EffectRunner, type EffectRunnerOptions } from './EffectRunner';
import { EpisodeRunner, type EpisodeRunnerOptions } from './EpisodeRunner';
import type { DurableStore } from './DurableStore';
import { EventType, eventTypeName, type EventTypeName, type HistoryEvent } from './HistoryEvent';
import type { InstanceRecord, RuntimeStatus } from './InstanceRecord';
import { InstanceRecovery } from './InstanceRecovery';
import { InstanceTable, isTerminal, parseInput, type DurableCounters } from './InstanceTable';
import { startInstanceIdProblem } from './startInstanceIdProblem';

export type { DurableCounters };

export interface DurableExtensionOptions extends EpisodeRunnerOptions, EffectRunnerOptions {
  readonly store: DurableStore;
  readonly taskHubName: string;
  /**
   * How long a message waits before the episode it triggers runs (default 0). Azure's Azure Storage
   * provider moves every message through a storage queue and loads and appends the history in Table
   * storage on each episode; the performance targets of "Performance and scale in Durable Functions" give
   * 5 sequential activities per second per instance, about 200 ms a round trip. This host hands messages
   * over in memory, so benchmarks set this to measure what Azure would add.
   */
  readonly episodeLatencyInMs?: number;
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

export class DurableExtension {
  private readonly table: InstanceTable;
  private readonly effects: EffectRunner;
  private readonly episodes: EpisodeRunner;

  private constructor(private readonly options: DurableExtensionOptions) {
    const latency = options.episodeLatencyInMs ?? 0;
    this.table = new InstanceTable(options.store, options.clock, (id) => {
      if (latency <= 0) return this.episodes.schedule(id);
      this.table.track(
        new Promise((done) => setTimeout(done, latency)).then(() => this.episodes.schedule(id)),
      );
    });
    this.effects = new EffectRunner(options, this.table);
    this.episodes = new EpisodeRunner(options, this.table, this.effects);
  }

  /** Loads every stored instance and resumes the unfinished ones where they stopped. */
  static async start(options: DurableExtensionOptions): Promise<DurableExtension> {
    const extension = new DurableExtension(options);
    await new InstanceRecovery(extension.table, extension.effects, extension.episodes).resumeAll();
    return extension;
  }

  // ---- test and benchmark API ----

  /** Committed history of the current execution (copies). */
  history(instanceId: string): HistoryEvent[] {
    return (this.table.get(instanceId)?.history ?? []).map((e) => ({ ...e }));
  }

  status(instanceId: string): InstanceStatus | undefined {
    const record = this.table.get(instanceId);
    return record ? toStatus(record) : undefined;
  }

  instances(query: InstanceQuery = {}): InstanceStatus[] {
    return [...this.table.values()]
      .filter((r) => matches(r, query))
      .sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0))
      .map(toStatus);
  }

  /** Event counts by type name for an instance's committed history, e.g. { TaskScheduled: 3, ... }. */
  eventCounts(instanceId: string): Partial<Record<EventTypeName, number>> {
    const counts: Partial<Record<EventTypeName, number>> = {};
    for (const event of this.table.get(instanceId)?.history ?? []) {
      const name = eventTypeName(event);
      counts[name] = (counts[name] ?? 0) + 1;
    }
    return counts;
  }

  counters(): DurableCounters {
    return { ...this.table.stats };
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
      let unsubscribe = (): void => undefined;
      const done = (): void => {
        clearTimeout(timer);
        unsubscribe();
      };
      if (!check()) unsubscribe = this.table.subscribe(() => void check());
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
    const existing = this.table.get(id);
    // With the default OverridableExistingInstanceStates (NonRunningStates), an instance that is Pending,
    // Running, ContinuedAsNew or Suspended is kept and the start fails (DurableTask.AzureStorage
    // AzureStorageOrchestrationService: OrchestrationAlreadyExistsException with this message); a
    // Completed, Failed or Terminated one is replaced by a new execution with a new history and input.
    if (existing && !isTerminal(existing.runtimeStatus))
      return {
        ok: false,
        reason: 'exists',
        message: `An Orchestration instance with the status ${existing.runtimeStatus} already exists.`,
      };
    await this.table.create(id, fn.name, inputJson, undefined);
    return { ok: true, instanceId: id };
  }

  async raiseEvent(
    instanceId: string,
    eventName: string,
    inputJson: string | null,
  ): Promise<ManagementResult> {
    const record = this.table.get(instanceId);
    if (!record) return 'notFound';
    if (isTerminal(record.runtimeStatus)) return 'gone';
    this.table.stats.eventsRaised += 1;
    // Events go straight into the history; the JS SDK keeps those that arrive before their waiter.
    await this.table.deliver(instanceId, undefined, {
      ...this.table.event(EventType.EventRaised, -1),
      Name: eventName,
      Input: inputJson,
    });
    return 'accepted';
  }

  async terminate(instanceId: string, reason: string): Promise<ManagementResult> {
    const record = this.table.get(instanceId);
    if (!record) return 'notFound';
    if (isTerminal(record.runtimeStatus)) return 'gone';
    // Like the extension, termination is a message: the instance is Terminated once it is processed.
    await this.table.deliver(instanceId, undefined, {
      ...this.table.event(EventType.ExecutionTerminated, -1),
      Input: reason,
    });
    return 'accepted';
  }

  purge(instanceId: string): Promise<boolean> {
    return this.table.purge(instanceId);
  }

  async purgeWhere(query: InstanceQuery): Promise<number> {
    const ids = [...this.table.values()].filter((r) => matches(r, query)).map((r) => r.instanceId);
    for (const id of ids) await this.purge(id);
    return ids.length;
  }

  /** Stops like a killed host: nothing more is committed, in-flight results are dropped. */
  async stop(): Promise<void> {
    this.effects.close();
    await this.table.stop();
  }

  /** Waits until in-flight activities and episodes have finished (they commit nothing once stopped). */
  async drain(): Promise<void> {
    await this.table.drain();
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
