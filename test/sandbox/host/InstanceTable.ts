// Test infrastructure: the instances the Durable stand-in holds and the messages sent to them. Like the
// extension's instance table and control queues, a message (start, activity result, timer, event,
// termination) lands in its instance's inbox and is stored in Azurite before an episode processes it.
// The episode runner, the effects and recovery all share this one table.
import { randomUUID } from 'node:crypto';
import type { DurableStore } from './DurableStore';
import { EventType, type HistoryEvent } from './HistoryEvent';
import type { HostClock } from './HostClock';
import type { InstanceRecord, ParentLink, RuntimeStatus } from './InstanceRecord';

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

const TERMINAL: ReadonlySet<RuntimeStatus> = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

/** A finished instance takes no more messages; a start with its id replaces it. */
export function isTerminal(status: RuntimeStatus): boolean {
  return TERMINAL.has(status);
}

export class InstanceTable {
  /** Counts for tests and benchmarks; each part of the stand-in adds to its own. */
  readonly stats: DurableCounters = {
    episodes: 0,
    replayChecks: 0,
    nondeterministic: 0,
    activityExecutions: 0,
    activityFailures: 0,
    timersFired: 0,
    eventsRaised: 0,
    instancesStarted: 0,
  };
  private readonly records = new Map<string, InstanceRecord>();
  private readonly listeners = new Set<() => void>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private halted = false;

  /** `wake` asks for an episode of an instance whose inbox has new messages. */
  constructor(
    private readonly store: DurableStore,
    private readonly clock: HostClock,
    private readonly wake: (instanceId: string) => void,
  ) {}

  /** True once the host is stopped like a killed process: nothing more is committed. */
  get stopped(): boolean {
    return this.halted;
  }

  get(instanceId: string): InstanceRecord | undefined {
    return this.records.get(instanceId);
  }

  /** The records themselves, live: one added while iterating is visited too. */
  values(): IterableIterator<InstanceRecord> {
    return this.records.values();
  }

  /** Loads every stored instance, as a host does when it starts. */
  async load(): Promise<void> {
    for (const record of await this.store.loadAll()) this.records.set(record.instanceId, record);
  }

  async save(record: InstanceRecord): Promise<void> {
    await this.store.save(record);
  }

  async purge(instanceId: string): Promise<boolean> {
    if (!this.records.delete(instanceId)) return false;
    await this.store.delete(instanceId);
    this.notify();
    return true;
  }

  async create(
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
    await this.store.save(record);
    this.notify();
    this.wake(id);
  }

  /** Adds a message to an instance's inbox (durably) and asks for an episode. */
  async deliver(instanceId: string, executionId: string | undefined, event: HistoryEvent): Promise<void> {
    if (this.halted) return;
    const record = this.records.get(instanceId);
    // Messages for an instance that is gone, finished, or restarted (ContinueAsNew) are dropped, as DTFx does.
    if (!record || TERMINAL.has(record.runtimeStatus)) return;
    if (executionId !== undefined && executionId !== record.executionId) return;
    record.inbox.push(event);
    await this.store.save(record);
    this.wake(instanceId);
  }

  /** Calls `listener` after every change of an instance; returns the call that stops it. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Keeps a promise of background work until it settles, so that `drain` can wait for it. */
  track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async stop(): Promise<void> {
    this.halted = true;
    this.listeners.clear();
    await this.store.close();
  }

  event(type: HistoryEvent['EventType'], eventId: number): HistoryEvent {
    return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: this.nowIso() };
  }

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

/** Stored JSON text as a value; text that is not JSON stays text. */
export function parseInput(json: string | null | undefined): unknown {
  if (json === null || json === undefined) return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
