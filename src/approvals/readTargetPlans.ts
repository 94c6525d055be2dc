// I/O: the plan of each workspace of a ring (BRICKLANE_<ENV>_TARGETS), as planEnvironment stored them under each
// target's key, for the approval page: one approval covers them all, so the approver sees each. A plan that cannot
// be read shows as not available (the counts per target are on the release status), never as a failed page.
import type { BlobServiceClient } from '@azure/storage-blob';
import { ringOf } from '../config/readTargets';
import type { EnvironmentSettings } from '../config/Settings';
import type { DeployPlan } from '../planning/DeployPlan';
import { readStagePlan } from './readStagePlan';

/** Each target's plan, canary first; [] for an environment that is one workspace. */
export async function readTargetPlans(
  service: BlobServiceClient,
  releaseId: string,
  environment: EnvironmentSettings,
): Promise<{ target: string; plan: DeployPlan | undefined }[]> {
  if (!environment.ring) return [];
  return Promise.all(
    ringOf(environment).map(async ({ name }) => ({
      target: name,
      plan: await readStagePlan(service, releaseId, name).catch(() => undefined),
    })),
  );
}
