// I/O: removes what an earlier deploy created and the bundle no longer has (only with `prune: true`).
// Clusters are terminated, not permanently deleted: their event logs and libraries stay for an admin.
import { DatabricksNotFoundError } from '../../databricks/DatabricksApiError';
import { isVolumeTarget } from '../../manifest/isVolumeTarget';
import type { PlanStep } from '../../planning/DeployPlan';
import type { ApplyContext, StepOutcome } from './ApplyContext';
import { errorMessage } from './ApplyContext';
import { mapConcurrent } from './mapConcurrent';

export async function applyPrune(ctx: ApplyContext, steps: readonly PlanStep[]): Promise<StepOutcome[]> {
  const options = { abortSignal: ctx.abortSignal };
  return mapConcurrent(steps, ctx.concurrency, async (step): Promise<StepOutcome> => {
    // A removed permissions list is no longer managed: its entries stay on the object (bricklane never removes
    // what it may not have granted alone), only the record goes.
    const removesObject = step.kind !== 'permissions';
    try {
      const id = step.liveId ?? '';
      if (!removesObject) return forget(ctx, step);
      if (step.kind === 'jobs') await ctx.client.deleteJob(Number(id), options);
      else if (step.kind === 'clusters') await ctx.client.terminateCluster(id, options);
      else if (step.kind === 'policies') await ctx.client.deletePolicy(id, options);
      else if (step.kind === 'secrets') await deleteSecretTarget(ctx, step.target, options);
      else if (step.target.startsWith('dbfs:')) await ctx.client.deleteDbfsPath(step.target, options);
      else if (isVolumeTarget(step.target)) await ctx.client.deleteFile(step.target, options);
      else await ctx.client.deleteWorkspaceObject(step.target, { ...options, recursive: false });
    } catch (error) {
      if (!(error instanceof DatabricksNotFoundError)) {
        return { key: step.key, action: 'delete', status: 'failed', message: errorMessage(error) };
      }
    }
    return forget(ctx, step);
  });
}

function forget(ctx: ApplyContext, step: PlanStep): StepOutcome {
  Reflect.deleteProperty(ctx.ledger.entries, step.key);
  return { key: step.key, action: 'delete', status: 'done' };
}

/** `<scope>/<key>` is a copied secret, `<scope>` a scope (deleting it deletes its secrets too). */
async function deleteSecretTarget(
  ctx: ApplyContext,
  target: string,
  options: { abortSignal?: AbortSignal },
): Promise<void> {
  const slash = target.indexOf('/');
  if (slash < 0) await ctx.client.deleteSecretScope(target, options);
  else await ctx.client.deleteSecret(target.slice(0, slash), target.slice(slash + 1), options);
}
