// I/O: the job wave. Cluster names become live ids here, and jobs are created or reset by name.
// jobs/create has no idempotency token, so after an ambiguous failure we look the job up by name before
// creating again: a lost answer must not leave two jobs with one name. jobs/list matches `name` in any case,
// so the look-up keeps the exact name only (a job "Nightly" is not our "nightly").
// Jobs API 2.2 (jobsApi.ts): the settings carry `queue` (resolveJobSettings), so neither create nor reset
// lets 2.2's default turn queueing on.
import type { JobSettings } from '../../databricks/JobInfo';
import { sha256OfJson } from '../../manifest/sha256OfJson';
import type { PlanStep } from '../../planning/DeployPlan';
import { resolveJobSettings } from '../../planning/resolveJobSettings';
import { policyIdsOfLedger } from '../../planning/resolvePolicyNames';
import type { ApplyContext, StepOutcome } from './ApplyContext';
import { applySteps, createOnce } from './applySteps';

export async function applyJobs(
  ctx: ApplyContext,
  steps: readonly PlanStep[],
  clusterIds: Readonly<Record<string, string | undefined>>,
): Promise<StepOutcome[]> {
  const policyIds = policyIdsOfLedger(ctx.ledger);
  return applySteps(ctx, 'jobs', steps, ctx.bundle.jobs, async (step, item) => {
    const resolved = resolveJobSettings(item.settings, clusterIds, policyIds);
    if (resolved.unresolved.length > 0) {
      throw new Error(
        `job ${item.name} uses cluster(s) ${resolved.unresolved.join(', ')}, which were not deployed`,
      );
    }
    const settings = resolved.settings as JobSettings;
    let id = step.liveId;
    if (step.action === 'create') id = String(await createJobOnce(ctx, item.name, settings));
    else if (step.action === 'update')
      await ctx.client.resetJob(Number(id), settings, { abortSignal: ctx.abortSignal });
    return { ...(id !== undefined ? { id } : {}), hash: sha256OfJson(settings) };
  });
}

async function createJobOnce(ctx: ApplyContext, name: string, settings: JobSettings): Promise<number> {
  return createOnce(
    () => ctx.client.createJob(settings, { abortSignal: ctx.abortSignal }),
    async () => {
      for await (const job of ctx.client.listJobs({ name, abortSignal: ctx.abortSignal })) {
        if (job.settings.name === name) return job.job_id;
      }
      return undefined;
    },
  );
}
