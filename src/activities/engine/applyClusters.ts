// I/O: the cluster wave. Unchanged clusters get no call at all, so nothing restarts (databricks/cli#3286).
// clusters/edit is accepted only in RUNNING (which restarts) or TERMINATED (which stays terminated), so a
// cluster in a transitional state is waited for first (Clusters API 2.1 "edit"). The state comes from the
// clusters/list the wave read (LiveState): a listed RUNNING or TERMINATED cluster is edited at once, with no
// clusters/get; one listed in a transitional state, not listed, or refused by an edit is read again.
import { createHash } from 'node:crypto';
import { DatabricksApiError, DatabricksInvalidStateError } from '../../databricks/DatabricksApiError';
import type { ClusterSpec } from '../../databricks/ClusterInfo';
import type { ClusterItem } from '../../manifest/Bundle';
import type { PlanStep } from '../../planning/DeployPlan';
import type { LiveState } from '../../planning/LiveState';
import { isSubsetEqual } from '../../planning/isSubsetEqual';
import { policyIdsOfLedger, resolvePolicyNames } from '../../planning/resolvePolicyNames';
import type { ApplyContext, StepOutcome } from './ApplyContext';
import { applySteps } from './applySteps';

const EDITABLE = new Set(['RUNNING', 'TERMINATED']);
const TRANSITIONAL = new Set(['PENDING', 'RESTARTING', 'RESIZING', 'TERMINATING']);

export async function applyClusters(
  ctx: ApplyContext,
  environment: string,
  steps: readonly PlanStep[],
  live: Pick<LiveState, 'clusters'>,
): Promise<StepOutcome[]> {
  const listedStates = new Map(live.clusters.map((c) => [c.cluster_id, c.state]));
  // Policies this deploy created are in the ledger by now: the policies wave runs first.
  const policyIds = policyIdsOfLedger(ctx.ledger);
  return applySteps(ctx, 'clusters', steps, ctx.bundle.clusters, async (step, item) => {
    const resolved = resolvePolicyNames(item.spec, policyIds);
    if (resolved.unresolved.length > 0) {
      throw new Error(
        `cluster ${item.name} uses cluster policy ${resolved.unresolved.join(', ')}, which was not deployed`,
      );
    }
    const spec = resolved.value as ClusterSpec;
    const id =
      step.action === 'create'
        ? await ctx.client.createCluster(spec, {
            idempotencyToken: idempotencyToken(environment, item),
            abortSignal: ctx.abortSignal,
          })
        : step.action === 'update'
          ? await editCluster(ctx, step.liveId ?? '', item.name, spec, listedStates.get(step.liveId ?? ''))
          : (step.liveId ?? '');
    return { id, hash: item.sha256 };
  });
}

/**
 * Stable across retries and re-runs of the same spec in the same environment, so a create whose answer was
 * lost returns the cluster it made instead of a twin. At most 64 characters (Clusters API 2.1).
 */
export function idempotencyToken(environment: string, item: ClusterItem): string {
  return createHash('sha256')
    .update(`${environment}\n${item.key}\n${item.sha256}`)
    .digest('hex')
    .slice(0, 64);
}

async function editCluster(
  ctx: ApplyContext,
  clusterId: string,
  name: string,
  spec: ClusterSpec,
  /** The state clusters/list gave (undefined: not listed). */
  listedState: string | undefined,
): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0 || listedState === undefined || !EDITABLE.has(listedState)) {
      const current = await waitForEditableState(ctx, clusterId, name);
      // A repeated edit (after a lost answer) finds the cluster restarting with our spec already applied.
      if (attempt > 0 && isSubsetEqual(spec, current)) return clusterId;
    }
    try {
      await ctx.client.editCluster(clusterId, spec, { abortSignal: ctx.abortSignal });
      return clusterId;
    } catch (error) {
      const repeatable =
        error instanceof DatabricksInvalidStateError ||
        (error instanceof DatabricksApiError && error.retryable);
      if (!repeatable || attempt >= 3) throw error;
    }
  }
}

async function waitForEditableState(
  ctx: ApplyContext,
  clusterId: string,
  name: string,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ctx.clusterWaitTimeoutInMs;
  for (;;) {
    const info = await ctx.client.getCluster(clusterId, { abortSignal: ctx.abortSignal });
    const state = String(info.state);
    if (EDITABLE.has(state)) return info;
    if (!TRANSITIONAL.has(state)) {
      throw new Error(
        `cluster ${name} (${clusterId}) is ${state}; it can be edited only when RUNNING or TERMINATED`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `cluster ${name} (${clusterId}) stayed ${state} for ${Math.round(ctx.clusterWaitTimeoutInMs / 1000)} s; ` +
          're-run the deploy once it is RUNNING or TERMINATED',
      );
    }
    await new Promise((r) => setTimeout(r, ctx.clusterPollIntervalInMs));
  }
}
