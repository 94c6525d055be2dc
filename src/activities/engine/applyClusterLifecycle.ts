// I/O: what happens to clusters after a deploy. Only clusters this deploy created or edited are touched:
// the seed's stop-every-cluster step killed running workloads on clusters the deploy never changed.
// `terminate` sends clusters/delete without reading the state first: "If the cluster is already in a
// TERMINATING or TERMINATED state, nothing will happen" (https://docs.databricks.com/api/workspace/clusters/delete).
import type { BundleOptions } from '../../manifest/Bundle';
import type { ApplyContext, StepOutcome } from './ApplyContext';
import { errorMessage } from './ApplyContext';
import { mapConcurrent } from './mapConcurrent';

export async function applyClusterLifecycle(
  ctx: ApplyContext,
  lifecycle: BundleOptions['clusterLifecycle'],
  clusterOutcomes: readonly StepOutcome[],
): Promise<StepOutcome[]> {
  if (lifecycle === 'unchanged') return [];
  const touched = clusterOutcomes.filter(
    (o) => o.status === 'done' && (o.action === 'create' || o.action === 'update') && o.id,
  );
  return mapConcurrent(touched, ctx.concurrency, async (o): Promise<StepOutcome> => {
    const id = o.id ?? '';
    const key = `${o.key}#lifecycle`;
    try {
      if (lifecycle === 'terminate') {
        await ctx.client.terminateCluster(id, { abortSignal: ctx.abortSignal });
      } else {
        const { state } = await ctx.client.getCluster(id, { abortSignal: ctx.abortSignal });
        if (state === 'TERMINATED') await ctx.client.startCluster(id, { abortSignal: ctx.abortSignal });
      }
      return { key, action: o.action, status: 'done', id };
    } catch (error) {
      return { key, action: o.action, status: 'failed', id, message: errorMessage(error) };
    }
  });
}
