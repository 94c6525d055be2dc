// Test infrastructure: what the extension reads back from one orchestrator invocation. A successful
// episode returns the OrchestratorState as the function's return value; a failing one throws an error
// whose message carries "$OutOfProcData$:" and the same state as JSON (durable-functions 3.5
// lib/src/error/OrchestrationFailureError.js).
import type { InvocationOutcome } from './FunctionApp';
import type { OrchestratorAction } from './OrchestratorAction';

export interface OrchestratorState {
  readonly isDone: boolean;
  /** Every action since the start of this execution, in the order the orchestrator yielded them. */
  readonly actions: readonly OrchestratorAction[];
  readonly output: unknown;
  readonly customStatus: unknown;
  readonly error?: string;
}

export type OrchestratorOutcome =
  | { readonly kind: 'state'; readonly state: OrchestratorState }
  | { readonly kind: 'failed'; readonly message: string; readonly state?: OrchestratorState };

const OUT_OF_PROC_LABEL = '\n\n$OutOfProcData$:';

export function readOrchestratorOutcome(outcome: InvocationOutcome): OrchestratorOutcome {
  if (!outcome.ok) {
    const text = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    const at = text.indexOf(OUT_OF_PROC_LABEL);
    if (at < 0) return { kind: 'failed', message: text };
    const state = toState(safeParse(text.slice(at + OUT_OF_PROC_LABEL.length)));
    // durable-functions 3.5 builds this error from `orchestratorReturned` (a boolean), so the text before
    // the label reads "false"; the real error is the state's `error`, which is what the extension reports.
    const message = state?.error ?? text.slice(0, at);
    return state ? { kind: 'failed', message, state } : { kind: 'failed', message };
  }
  const value = outcome.response.returnValue;
  const raw = value?.json ?? value?.string;
  const state = raw === undefined ? undefined : toState(safeParse(raw));
  if (!state) return { kind: 'failed', message: 'The orchestrator function returned no orchestration state' };
  return { kind: 'state', state };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toState(value: unknown): OrchestratorState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.isDone !== 'boolean' || !Array.isArray(record.actions)) return undefined;
  // Schema V2 and later report one action list (actions[0]); V1 reported one list per yield.
  const actions = record.actions.flatMap((set: unknown) => (Array.isArray(set) ? set : [])).filter(isAction);
  return {
    isDone: record.isDone,
    actions,
    output: record.output,
    customStatus: record.customStatus,
    ...(typeof record.error === 'string' ? { error: record.error } : {}),
  };
}

function isAction(value: unknown): value is OrchestratorAction {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { actionType?: unknown }).actionType === 'number'
  );
}
