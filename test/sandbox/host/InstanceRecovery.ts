// Test infrastructure: how a Durable stand-in started again on the same Azurite location resumes every
// unfinished instance where the killed host left it. The stored history says what was scheduled and what
// completed; work scheduled without a completion is started again (activities at least once, as the
// extension's queue messages are delivered at least once), and stored messages get their episode.
import { parentLink, sameLink, type EffectRunner } from './EffectRunner';
import type { EpisodeRunner } from './EpisodeRunner';
import { EventType, type HistoryEvent } from './HistoryEvent';
import type { InstanceRecord } from './InstanceRecord';
import { isTerminal, parseInput, type InstanceTable } from './InstanceTable';

export class InstanceRecovery {
  constructor(
    private readonly instances: InstanceTable,
    private readonly effects: EffectRunner,
    private readonly episodes: EpisodeRunner,
  ) {}

  /** Loads every stored instance and resumes the unfinished ones where they stopped. */
  async resumeAll(): Promise<void> {
    await this.instances.load();
    for (const record of this.instances.values()) if (!isTerminal(record.runtimeStatus)) this.resume(record);
  }

  /** Reconstructs the pending work of one instance from its history and inbox. */
  private resume(record: InstanceRecord): void {
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
          this.effects.runActivity(
            record.instanceId,
            record.executionId,
            event.EventId,
            event.Name ?? '',
            parseInput(event.Input),
          );
          break;
        case EventType.TimerCreated:
          this.effects.armTimer(
            record.instanceId,
            record.executionId,
            event.EventId,
            event.FireAt ?? new Date(0).toISOString(),
          );
          break;
        case EventType.SubOrchestrationInstanceCreated:
          this.instances.track(this.resumeChild(record, event));
          break;
        default:
          break;
      }
    }
    if (record.inbox.length > 0) this.episodes.schedule(record.instanceId);
  }

  private async resumeChild(parent: InstanceRecord, created: HistoryEvent): Promise<void> {
    const childId = created.InstanceId ?? '';
    const child = this.instances.get(childId);
    const link = parentLink(parent, created.EventId);
    if (!child || (isTerminal(child.runtimeStatus) && !sameLink(child.parent, link))) {
      await this.effects.startChild(
        parent,
        created.EventId,
        created.Name ?? '',
        childId,
        created.Input ?? null,
      );
      return;
    }
    if (!isTerminal(child.runtimeStatus)) return;
    // The child finished but its completion never reached the parent before the host stopped.
    const notice = this.effects.parentNotice(
      child,
      child.runtimeStatus === 'Completed',
      `Orchestrator function '${child.name}' failed`,
      child.output,
    );
    if (notice.kind === 'notifyParent')
      await this.instances.deliver(parent.instanceId, parent.executionId, notice.event);
  }
}
