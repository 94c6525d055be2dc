// I/O: the loop the object waves share (policies, clusters, jobs, permissions): each step's bundle item, the
// write it makes, its ledger record, its failure as data, and progress. A step's failure never stops the others.
import { DatabricksApiError } from '../../databricks/DatabricksApiError';
import type { PlanStep } from '../../planning/DeployPlan';
import type { ApplyContext, StepOutcome } from './ApplyContext';
import { errorMessage } from './ApplyContext';
import { mapConcurrent } from './mapConcurrent';

/** What a step did: the live id it created or touched, and the hash the ledger records for it. */
export interface StepResult {
  id?: string;
  hash?: string;
}

export async function applySteps<T extends { key: string }>(
  ctx: ApplyContext,
  wave: string,
  steps: readonly PlanStep[],
  items: readonly T[],
  apply: (step: PlanStep, item: T) => Promise<StepResult>,
): Promise<StepOutcome[]> {
  const byKey = new Map(items.map((i) => [i.key, i]));
  let done = 0;
  return mapConcurrent(steps, ctx.concurrency, async (step): Promise<StepOutcome> => {
    const item = byKey.get(step.key);
    try {
      if (!item) throw new Error(`no bundle item for ${step.key}`);
      const { id, hash } = await apply(step, item);
      if (id !== undefined && hash !== undefined) recordDeployed(ctx, item.key, hash, id);
      return { key: step.key, action: step.action, status: 'done', ...(id !== undefined ? { id } : {}) };
    } catch (error) {
      return { key: step.key, action: step.action, status: 'failed', message: errorMessage(error) };
    } finally {
      if (step.action !== 'unchanged') ctx.onProgress?.({ wave, done: ++done, total: steps.length });
    }
  });
}

/** Records what a step deployed; an entry that already says so is left as it is (no ledger write for it). */
export function recordDeployed(ctx: ApplyContext, key: string, hash: string, target: string): void {
  const prev = ctx.ledger.entries[key];
  if (!prev || prev.hash !== hash || prev.target !== target) {
    ctx.ledger.entries[key] = { hash, target, deployedAt: ctx.now() };
  }
}

/**
 * A create without an idempotency token (jobs/create, policies/clusters/create), made at most once: after an
 * ambiguous failure the object is looked up by its name before creating again, so a lost answer leaves no twin.
 */
export async function createOnce<T>(
  create: () => Promise<T>,
  findByName: () => Promise<T | undefined>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await create();
    } catch (error) {
      if (!(error instanceof DatabricksApiError) || !error.retryable || attempt >= 3) throw error;
      const made = await findByName();
      if (made !== undefined) return made;
    }
  }
}
