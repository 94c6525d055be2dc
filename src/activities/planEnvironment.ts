// I/O (activity): plans one environment against its live workspace and ledger, and stores the full plan
// for the approval page. Looks only: a plan never creates Azure resources.
import { stagePlanBlobName } from '../approvals/readStagePlan';
import { deployBundle } from './engine/deployBundle';
import type { EnvironmentRef, PlanEnvironmentResult } from './contracts';
import { appServices } from './engine/appServices';
import { connectForActivity } from './engine/connectForActivity';
import { requireStagedBundle } from './engine/loadStagedBundle';

export async function planEnvironment(input: EnvironmentRef): Promise<PlanEnvironmentResult> {
  const services = appServices();
  const bundle = await requireStagedBundle(services.releases, input.bundleId);
  const { connected } = await connectForActivity(input.environment, { create: false });
  const report = await deployBundle({
    environment: input.environment,
    workspace: connected.workspace,
    bundle,
    ledgerStore: services.ledger,
    maxInFlight: services.settings.maxInFlight,
    apply: false,
    ...(connected.workspace ? { scheduler: services.schedulerFor(connected.workspace.url) } : {}),
  });
  await services.releases.writeJson(stagePlanBlobName(input.releaseId, input.environment), report.plan);
  return {
    summary: report.plan.summary,
    changes: report.plan.steps.filter((s) => s.action !== 'unchanged').length,
  };
}
