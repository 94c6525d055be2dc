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
  const value = await readStoredBlob(service, containerName, stagePlanBlobName(releaseId, environment));
  const plan = value as Partial<DeployPlan> | null | undefined;
  if (!plan || plan.version !== 1 || !Array.isArray(plan.steps) || typeof plan.summary !== 'object') {
    return undefined;
  }
  return plan as DeployPlan;
}

/** The parsed JSON of a stored blob of the stage, or undefined when it is missing or not JSON. */
export async function readStoredBlob(
  service: BlobServiceClient,
  containerName: string,
  name: string,
): Promise<unknown> {
  const blob = service.getContainerClient(containerName).getBlockBlobClient(name);
  let text: string;
  try {
    text = (await blob.downloadToBuffer()).toString('utf8');
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
