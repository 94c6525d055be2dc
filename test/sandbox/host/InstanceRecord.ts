// Test infrastructure: everything the Durable stand-in keeps about one orchestration instance, as stored
// in Azurite. The real extension keeps history and instance rows in Azure Storage tables and messages in
// queues; one JSON blob per instance carries the same information: committed history, messages not yet
// processed (the inbox), and the bookkeeping the extension's retry and long-timer wrappers hold in memory.
import type { HistoryEvent } from './HistoryEvent';
import type { OrchestratorAction, RetryOptionsJson } from './OrchestratorAction';

export type RuntimeStatus =
  'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Terminated' | 'Canceled' | 'Suspended';

export interface ParentLink {
  readonly instanceId: string;
  readonly executionId: string;
  readonly name: string;
  /** The parent's SubOrchestrationInstanceCreated EventId, which the completion event refers to. */
  readonly taskScheduledId: number;
}

/** The work a CallActivityWithRetry / CallSubOrchestratorWithRetry action stands for, and its attempts. */
export interface RetryProgress {
  readonly kind: 'activity' | 'subOrchestration';
  readonly name: string;
  readonly input: unknown;
  readonly instanceId?: string;
  readonly options: RetryOptionsJson;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly firstAttemptAt: string;
}

export type TimerPurpose =
  | { readonly kind: 'user' }
  /** One leg of a timer longer than maximumShortTimerDuration; the extension chains legs until finalFireAt. */
  | { readonly kind: 'longTimer'; readonly finalFireAt: string }
  /** The pause after a failed attempt; when it fires the next attempt is scheduled, if any is left. */
  | { readonly kind: 'retry'; readonly retry: RetryProgress };

export interface InstanceRecord {
  instanceId: string;
  name: string;
  executionId: string;
  runtimeStatus: RuntimeStatus;
  /** JSON text, as the extension stores inputs, outputs and custom status. */
  input: string | null;
  output: string | null;
  customStatus: string | null;
  createdTime: string;
  lastUpdatedTime: string;
  parent?: ParentLink;
  /** Committed events, one episode after another. */
  history: HistoryEvent[];
  /** Delivered messages that the next episode will add to the history. */
  inbox: HistoryEvent[];
  /** Actions the orchestrator has reported so far in this execution (for replay comparisons). */
  actions: OrchestratorAction[];
  /** The next EventId for a scheduled task, timer or sub-orchestration (DTFx's idCounter). */
  nextEventId: number;
  /** Retry bookkeeping by the EventId of a scheduled attempt. */
  retries: Record<string, RetryProgress>;
  /** Why each timer exists, by its EventId. */
  timers: Record<string, TimerPurpose>;
  /** Episodes run in this execution, for tests and benchmarks. */
  episodes: number;
}
