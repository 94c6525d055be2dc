// I/O: the plan planEnvironment stored for a release and environment, loaded once per process and plan id
// (the batches of one wave run side by side on one host and share it).
import { stagePlanBlobName } from '../../approvals/readStagePlan';
import type { ReleaseStorage } from '../../azure/ReleaseStorage';
import type { StoredPlan } from '../../planning/PlanBasis';

const cache = new Map<string, Promise<StoredPlan>>();
const CACHED_PLANS = 16;

/**
 * The stored plan. `planId` (from the orchestration) names the plan the release approved: a stored plan with
 * another id is refused, since applying it would apply something nobody approved.
 */
export function loadStoredPlan(
  storage: ReleaseStorage,
  releaseId: string,
  environment: string,
  planId: string | undefined,
): Promise<StoredPlan> {
  const key = `${releaseId}\n${environment}\n${planId ?? ''}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = read(storage, releaseId, environment, planId);
    pending.catch(() => cache.delete(key));
    if (planId === undefined) return pending;
    cache.set(key, pending);
    // Plans of finished releases are not needed again; keep the newest few.
    for (const old of cache.keys()) if (cache.size > CACHED_PLANS) cache.delete(old);
  }
  return pending;
}

async function read(
  storage: ReleaseStorage,
  releaseId: string,
  environment: string,
  planId: string | undefined,
): Promise<StoredPlan> {
  const stored = await storage.readJson<Partial<StoredPlan> | null>(
    stagePlanBlobName(releaseId, environment),
  );
  const plan = stored?.value;
  if (
    !plan ||
    !Array.isArray(plan.steps) ||
    typeof plan.basis !== 'object' ||
    typeof plan.planId !== 'string'
  ) {
    throw new Error(`no stored plan for ${environment} of release ${releaseId}; planEnvironment runs first`);
  }
  if (planId !== undefined && plan.planId !== planId) {
    throw new Error(
      `the stored plan of ${environment} is ${plan.planId}, not the approved ${planId}; re-run the release`,
    );
  }
  return plan as StoredPlan;
}
