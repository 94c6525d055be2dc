// Test infrastructure: what must stay the same about an action when an orchestration is replayed. Only
// `isCanceled` may change (a timer is cancelled after it was scheduled); everything else -- type, name,
// input, fire time, event name, instance id, compound children -- must repeat exactly, or the replay is
// not deterministic (DTFx's NonDeterministicOrchestrationException, detected here for every episode).
import type { OrchestratorAction } from './OrchestratorAction';

export function actionSignature(action: OrchestratorAction): string {
  return JSON.stringify(strip(action));
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([key]) => key !== 'isCanceled')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, v]) => [key, strip(v)]);
  return Object.fromEntries(entries);
}
