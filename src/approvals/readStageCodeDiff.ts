// I/O: the code diff of one environment of a release, as planEnvironment stored it beside the plan
// (activities/engine/diffStageCode.ts): the approval page shows it, and a notification can give its size.
import type { BlobServiceClient } from '@azure/storage-blob';
import type { StageCodeDiff } from '../planning/CodeDiff';
import { readStoredBlob, STAGE_PLAN_CONTAINER } from './readStagePlan';

/** `plans/<releaseId>/<environment>.code.json`, beside the stage's plan. */
export function stageCodeDiffBlobName(releaseId: string, environment: string): string {
  return `plans/${encodeURIComponent(releaseId)}/${encodeURIComponent(environment)}.code.json`;
}

/**
 * The stored code diff, or undefined when there is none (planned before code diffs were kept, or cleaned up) or
 * it is not one: the page then shows the plan without it.
 */
export async function readStageCodeDiff(
  service: BlobServiceClient,
  releaseId: string,
  environment: string,
  containerName = STAGE_PLAN_CONTAINER,
): Promise<StageCodeDiff | undefined> {
  const value = await readStoredBlob(service, containerName, stageCodeDiffBlobName(releaseId, environment));
  const diff = value as Partial<StageCodeDiff> | null | undefined;
  if (!diff || diff.version !== 1 || !Array.isArray(diff.files) || typeof diff.size !== 'object')
    return undefined;
  return diff as StageCodeDiff;
}
