// Pure: the plan step that creates an object: new, or re-created because the ledger says it was deployed and it
// is gone (drift). One wording for every kind, so the approval page and the drift counts read the same.
import type { PlanStep } from './DeployPlan';

export function createStep(
  base: Pick<PlanStep, 'key' | 'kind' | 'wave' | 'target'>,
  recorded: boolean,
): PlanStep {
  return recorded
    ? {
        ...base,
        action: 'create',
        reason: 'recorded as deployed but missing',
        drift: 'deleted outside bricklane',
      }
    : { ...base, action: 'create', reason: 'new' };
}
