// I/O (activity): plans one environment against its live workspace and ledger, and stores the plan with
// what it was computed from (the ledger's ETag and the basis of every step): the approval page shows this
// plan, and the apply batches apply this plan and no other. Looks only: a plan never creates Azure resources.
import { stagePlanBlobName } from '../approvals/readStagePlan';
import type { EnvironmentRef, PlanEnvironmentResult } from './contracts';
import { appServices } from '../services/appServices';
import { connectForActivity } from './engine/connectForActivity';
import { requireStagedBundle } from './engine/loadStagedBundle';
import { planWorkspace } from './engine/planWorkspace';
import type { ActivityOptions } from 'durable-functions';
import { failuresAsData } from './failuresAsData';

export async function planEnvironment(input: EnvironmentRef): Promise<PlanEnvironmentResult> {
  const services = appServices();
  const bundle = await requireStagedBundle(services.releases, input.bundleId, services.settings.project);
  const { client } = await connectForActivity(input.environment, { create: false });
  const { stored } = await planWorkspace(client, bundle, services.ledger, input.environment);
  // Where the plan looked, for the approval page; not part of the plan's id (the steps and basis are).
  const plan = {
    ...stored,
    workspace: client ? { exists: true, url: client.workspaceUrl } : { exists: false },
  };
  await services.releases.writeJson(stagePlanBlobName(input.releaseId, input.environment), plan);
  return {
    summary: plan.summary,
    changes: plan.steps.filter((s) => s.action !== 'unchanged').length,
    planId: plan.planId,
  };
}

/** Options for `df.app.activity('planEnvironment', planEnvironmentOptions)`: permanent failures come back as data. */
export const planEnvironmentOptions: ActivityOptions = { handler: failuresAsData(planEnvironment) };
