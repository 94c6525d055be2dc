// Test infrastructure: orchestration episodes on the Durable stand-in, run as the extension runs them for
// out-of-process workers:
//   1. take the delivered messages (the inbox) and append them to the history after an OrchestratorStarted;
//   2. call the registered orchestrator with the whole history (earlier events IsPlayed=true);
//   3. compare the returned (cumulative) actions with those recorded so far, and schedule only the new ones
//      (ActionScheduler);
//   4. commit (history, status, custom status, output) to Azurite, then start activities, timers, children
//      (EffectRunner).
// One episode runs at a time per instance, and at most maxConcurrentOrchestrations at once (the host's
// durableTask.maxConcurrentOrchestratorFunctions). With checkDeterminism, every episode is followed by a
// replay of the whole history from scratch.
import { randomUUID } from 'node:crypto';
import { ActionScheduler, orderMessages, UnsupportedActionError } from './ActionScheduler';
import { compareActions } from './compareActions';
import { ConcurrencyLimit } from './ConcurrencyLimit';
import { customStatusSizeProblem } from './customStatusSizeProblem';
import type { Effect, EffectRunner, Episode } from './EffectRunner';
import type { FunctionApp, InvocationOutcome } from './FunctionApp';
import { EventType, type HistoryEvent } from './HistoryEvent';
import type { HostClock } from './HostClock';
import type { InstanceRecord, RuntimeStatus } from './InstanceRecord';
import { describeError, isTerminal, type InstanceTable } from './InstanceTable';
import type { OrchestratorAction } from './OrchestratorAction';
import { readOrchestratorOutcome, type OrchestratorOutcome } from './readOrchestratorOutcome';

export interface EpisodeRunnerOptions {
  readonly app: FunctionApp;
  readonly clock: HostClock;
  readonly maxConcurrentOrchestrations: number;
  /** Replay every instance from scratch after each episode and fail it if the actions differ. */
  readonly checkDeterminism: boolean;
  readonly log: (message: string) => void;
}

export class EpisodeRunner {
  private readonly running = new Set<string>();
  private readonly rerun = new Set<string>();
  private readonly orchestrationLimit: ConcurrencyLimit;
  private readonly scheduler: ActionScheduler;

  constructor(
    private readonly options: EpisodeRunnerOptions,
    private readonly instances: InstanceTable,
    private readonly effects: EffectRunner,
  ) {
    this.orchestrationLimit = new ConcurrencyLimit(options.maxConcurrentOrchestrations);
    this.scheduler = new ActionScheduler((type, eventId) => instances.event(type, eventId), options.log);
  }

  /** Runs episodes of the instance until its inbox is empty; a call while one runs asks for another. */
  schedule(instanceId: string): void {
    if (this.instances.stopped) return;
    if (this.running.has(instanceId)) {
      this.rerun.add(instanceId);
      return;
    }
    this.running.add(instanceId);
    this.instances.track(
      this.orchestrationLimit
        .run(async () => {
          do {
            this.rerun.delete(instanceId);
            const record = this.instances.get(instanceId);
            if (!record || this.instances.stopped || record.inbox.length === 0) break;
            await this.runEpisode(record).catch((error: unknown) => this.crashed(record, error));
          } while (this.rerun.has(instanceId) || (this.instances.get(instanceId)?.inbox.length ?? 0) > 0);
        })
        .catch((error: unknown) =>
          this.options.log(`episode loop for ${instanceId} crashed: ${describeError(error)}`),
        )
        .finally(() => this.running.delete(instanceId)),
    );
  }

  private async runEpisode(record: InstanceRecord): Promise<void> {
    if (isTerminal(record.runtimeStatus)) {
      record.inbox = [];
      return;
    }
    const consumed = record.inbox.length;
    const nowMs = this.options.clock.now();
    const now = new Date(nowMs).toISOString();
    const messages = orderMessages(record, record.inbox.slice(0, consumed), nowMs);
    const draft = cloneForEpisode(record);
    const newEvents: HistoryEvent[] = [
      { ...this.instances.event(EventType.OrchestratorStarted, -1), Timestamp: now },
    ];
    const episode: Episode = { record, draft, newEvents, now, consumed };
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
          this.effects.parentNotice(
            draft,
            false,
            `Orchestration terminated: ${reason}`,
            JSON.stringify(reason),
          ),
        );
      await this.effects.commit(episode, effects);
      return;
    }

    for (const message of messages) {
      if (message.EventType === EventType.ExecutionStarted) draft.runtimeStatus = 'Running';
      newEvents.push({ ...message, IsPlayed: false, Timestamp: message.Timestamp });
      this.scheduler.followUps(draft, message, nowMs, newEvents, effects);
    }

    const outcome = await this.invokeOrchestrator(draft, [...played(draft.history), ...newEvents]);
    if (this.instances.stopped) return;
    const state = outcome.state;
    const actions = state?.actions ?? [];

    const mismatch = compareActions(draft.actions, actions, outcome.kind === 'state');
    if (mismatch) {
      await this.failNondeterministic(episode, mismatch);
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
      await this.failInstance(episode, message);
      return;
    }

    let continueAsNew: OrchestratorAction | undefined;
    try {
      continueAsNew = this.scheduler.scheduleNew(draft, actions, nowMs, newEvents, effects);
    } catch (error) {
      if (!(error instanceof UnsupportedActionError)) throw error;
      await this.failInstance(episode, error.message);
      return;
    }
    draft.actions = [...actions];
    if (state) draft.customStatus = customStatusJson;

    if (outcome.kind === 'failed') {
      const message = `Orchestrator function '${draft.name}' failed: ${outcome.message}`;
      await this.failInstance(episode, message);
      return;
    }
    if (outcome.state.isDone && continueAsNew) {
      newEvents.push({ ...this.instances.event(EventType.ContinueAsNew, -1), Timestamp: now });
    } else if (outcome.state.isDone) {
      const output = JSON.stringify(outcome.state.output) ?? 'null';
      draft.runtimeStatus = 'Completed';
      draft.output = output;
      newEvents.push(this.completionEvent(now, 'Completed', output));
      if (draft.parent) effects.push(this.effects.parentNotice(draft, true, undefined, output));
    }

    if (this.options.checkDeterminism) {
      const replayMismatch = await this.replayFromScratch(
        draft,
        [...played(draft.history), ...newEvents],
        actions,
        outcome,
      );
      if (this.instances.stopped) return;
      if (replayMismatch) {
        // The episode is discarded: only its OrchestratorStarted comes before the failure.
        const discarded = { ...episode, draft: cloneForEpisode(record), newEvents: newEvents.slice(0, 1) };
        await this.failNondeterministic(discarded, replayMismatch);
        return;
      }
    }

    if (continueAsNew) {
      await this.effects.commit(episode, effects);
      await this.continueAsNew(record, continueAsNew);
      return;
    }
    await this.effects.commit(episode, effects);
  }

  /** A bug in the stand-in (or a store failure) fails the instance visibly instead of leaving it hanging. */
  private async crashed(record: InstanceRecord, error: unknown): Promise<void> {
    this.options.log(`episode for ${record.instanceId} crashed: ${describeError(error)}`);
    if (this.instances.stopped || isTerminal(record.runtimeStatus)) return;
    const now = this.instances.nowIso();
    const started = { ...this.instances.event(EventType.OrchestratorStarted, -1), Timestamp: now };
    const message = `The sandbox host failed while running this instance: ${describeError(error)}`;
    const episode = {
      record,
      draft: cloneForEpisode(record),
      newEvents: [started],
      now,
      consumed: record.inbox.length,
    };
    await this.failInstance(episode, message);
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
    // The orchestrationTrigger payload of the out-of-process protocol, with every key the extension sends
    // (durable-functions 3.5 lib/src/orchestrations/DurableOrchestrationBindingInfo.js, which
    // Orchestrator.js reads). upperSchemaVersion 3 is ReplaySchema.V4.
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
    this.instances.stats.episodes += 1;
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
    this.instances.stats.replayChecks += 1;
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

  private async failInstance(episode: Episode, message: string): Promise<void> {
    const { draft, newEvents, now } = episode;
    draft.runtimeStatus = 'Failed';
    draft.output = JSON.stringify(message);
    newEvents.push({
      ...this.completionEvent(now, 'Failed', draft.output),
      FailureDetails: { ErrorMessage: message },
    });
    const effects: Effect[] = draft.parent
      ? [this.effects.parentNotice(draft, false, message, draft.output)]
      : [];
    await this.effects.commit(episode, effects);
  }

  private async failNondeterministic(episode: Episode, detail: string): Promise<void> {
    const { record } = episode;
    this.instances.stats.nondeterministic += 1;
    const message =
      `Orchestrator function '${record.name}' failed: nondeterministic orchestration (Non-Deterministic ` +
      `workflow detected): ${detail}. Was a change made to the orchestrator code after this instance had ` +
      'already started running, or does it use Date.now(), Math.random(), I/O or other non-replayable calls?';
    this.options.log(`${record.instanceId}: ${message}`);
    await this.failInstance(episode, message);
  }

  /** Starts a new execution of the instance with the action's input; raised events not yet handled carry over. */
  private async continueAsNew(record: InstanceRecord, action: OrchestratorAction): Promise<void> {
    if (this.instances.stopped) return;
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
        ...this.instances.event(EventType.ExecutionStarted, -1),
        Name: record.name,
        Input: inputJson,
        Version: '',
        OrchestrationInstance: { InstanceId: record.instanceId, ExecutionId: record.executionId },
      },
      ...carried,
    ];
    await this.instances.save(record);
    this.instances.notify();
    this.schedule(record.instanceId);
  }

  private completionEvent(now: string, status: RuntimeStatus, result: string | null): HistoryEvent {
    return {
      ...this.instances.event(EventType.ExecutionCompleted, -1),
      Timestamp: now,
      OrchestrationStatus: status,
      Result: result,
    };
  }
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
