// I/O: the full plan of one environment of a release, as the planEnvironment activity stored it
// (custom status only carries the counts, to stay under Durable's 16 KB limit).
import { RestError, type BlobServiceClient } from '@azure/storage-blob';
import type { DeployPlan } from '../planning/DeployPlan';

export const STAGE_PLAN_CONTAINER = 'bricklane-releases';

/** `plans/<releaseId>/<environment>.json` (each part URI-encoded, so an id never adds a folder). */
export function stagePlanBlobName(releaseId: string, environment: string): string {
  return `plans/${encodeURIComponent(releaseId)}/${encodeURIComponent(environment)}.json`;
}

/**
 * The plan, or undefined when it is not there (not planned yet, or the release was cleaned up) or is not
 * a plan: the approval page then shows the counts from the release status instead of failing.
 */
export async function readStagePlan(
  service: BlobServiceClient,
  releaseId: string,
  environment: string,
  containerName = STAGE_PLAN_CONTAINER,
): Promise<DeployPlan | undefined> {
  const blob = service
    .getContainerClient(containerName)
    .getBlockBlobClient(stagePlanBlobName(releaseId, environment));
  let text: string;
  try {
    text = (await blob.downloadToBuffer()).toString('utf8');
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const plan = value as Partial<DeployPlan> | null;
  if (!plan || plan.version !== 1 || !Array.isArray(plan.steps) || typeof plan.summary !== 'object') {
    return undefined;
  }
  return plan as DeployPlan;
}
