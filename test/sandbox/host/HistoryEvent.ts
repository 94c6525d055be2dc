// Test infrastructure: orchestration history events in the shape the Durable extension hands to the
// out-of-process SDKs. Numbers follow durable-functions 3.5 lib/src/history/HistoryEventType.js; field
// names follow DurableTask.Core's event classes, which the JS replay reads (TaskScheduledId, Result, ...).

export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  GenericEvent: 17,
  HistoryState: 18,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;

export type EventTypeName = keyof typeof EventType;
export type EventTypeNumber = (typeof EventType)[EventTypeName];

/**
 * One event. Every event has EventType, EventId (-1 unless it is the scheduling event of a task, whose id
 * completions refer to), IsPlayed and Timestamp (ISO string; the JS replay parses it into a Date).
 */
export interface HistoryEvent {
  readonly EventType: EventTypeNumber;
  readonly EventId: number;
  readonly IsPlayed: boolean;
  readonly Timestamp: string;
  readonly Name?: string;
  readonly Input?: string | null;
  readonly Version?: string;
  readonly Result?: string | null;
  readonly TaskScheduledId?: number;
  readonly Reason?: string;
  readonly Details?: string;
  readonly FailureDetails?: Readonly<Record<string, unknown>>;
  readonly FireAt?: string;
  readonly TimerId?: number;
  readonly InstanceId?: string;
  readonly OrchestrationInstance?: { readonly InstanceId: string; readonly ExecutionId: string };
  readonly ParentInstance?: {
    readonly Name: string;
    readonly TaskScheduleId: number;
    readonly OrchestrationInstance: { readonly InstanceId: string; readonly ExecutionId: string };
  };
  readonly OrchestrationStatus?: string;
}

const NAMES = Object.fromEntries(Object.entries(EventType).map(([name, value]) => [value, name])) as Record<
  number,
  EventTypeName
>;

/** The readable name of an event's type, for counts and failure messages. */
export function eventTypeName(event: Pick<HistoryEvent, 'EventType'>): EventTypeName {
  return NAMES[event.EventType] ?? 'GenericEvent';
}
