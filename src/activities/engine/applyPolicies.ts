// I/O: the cluster policies wave, before clusters (a cluster names its policy's id). Unchanged policies get no
// call. policies/clusters/create has no idempotency token, so after an ambiguous failure the policy is looked up
// by name before creating again (names are unique in a workspace): a lost answer must not fail the deploy, and
// cannot leave two policies.
import type { PolicySpec } from '../../databricks/policiesApi';
import type { PolicyItem } from '../../manifest/Bundle';
import type { PlanStep } from '../../planning/DeployPlan';
import type { ApplyContext, StepOutcome } from './ApplyContext';
import { applySteps, createOnce } from './applySteps';

export async function applyPolicies(ctx: ApplyContext, steps: readonly PlanStep[]): Promise<StepOutcome[]> {
  const options = { abortSignal: ctx.abortSignal };
  return applySteps(ctx, 'policies', steps, ctx.bundle.policies, async (step, item) => {
    const spec = item.spec as unknown as PolicySpec;
    let id = step.liveId ?? '';
    if (step.action === 'create') id = await createPolicyOnce(ctx, item, spec);
    else if (step.action === 'update') await ctx.client.editPolicy(id, spec, options);
    return { id, hash: item.sha256 };
  });
}

function createPolicyOnce(ctx: ApplyContext, item: PolicyItem, spec: PolicySpec): Promise<string> {
  const options = { abortSignal: ctx.abortSignal };
  return createOnce(
    () => ctx.client.createPolicy(spec, options),
    async () => (await ctx.client.listPolicies(options)).find((p) => p.name === item.name)?.policy_id,
  );
}
