// Test infrastructure: the Durable stand-in's nondeterminism rule. DTFx fails an orchestration whose replay
// does not repeat the actions it took before (NonDeterministicOrchestrationException); the stand-in
// checks every episode against the recorded actions, and every replay from scratch against the episode.
import { actionSignature } from './actionSignature';
import { ActionType, type OrchestratorAction } from './OrchestratorAction';

/**
 * How `actual` departs from the `recorded` actions of earlier episodes: each recorded action must repeat.
 * An orchestration that fails may stop early; one that does not must reach at least as far as before.
 */
export function compareActions(
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
