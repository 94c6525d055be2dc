// I/O (activity): plans one environment against its live workspace and ledger, and stores the plan with
// what it was computed from (the ledger's ETag and the basis of every step): the approval page shows this
// plan, and the apply batches apply this plan and no other. Looks only: a plan never creates Azure resources.
import { stagePlanBlobName } from '../approvals/readStagePlan';
import { stageCodeDiffBlobName } from '../approvals/readStageCodeDiff';
import { DeployedFileStore } from '../azure/DeployedFileStore';
import { environmentByName } from '../config/loadSettings';
import type { Bundle, ResourceKind } from '../manifest/Bundle';
import { retargetInitScripts } from '../manifest/retargetInitScripts';
import { sha256OfJson } from '../manifest/sha256OfJson';
import type { PlanStep } from '../planning/DeployPlan';
import type { Ledger } from '../planning/Ledger';
import { resolveJobSettings } from '../planning/resolveJobSettings';
import { stepsOfWave, WAVES, type WaveName } from '../planning/waves';
import type { EnvironmentRef, PlanEnvironmentResult } from './contracts';
import { materializeBundle } from '../sources/materializeBundle';
import { appServices } from '../services/appServices';
import { appendAudit } from '../services/appendAudit';
import { plannedAuditEvent } from '../release/AuditEvent';
import { compactPlanCounts } from '../release/compactStatus';
import { connectForActivity } from './engine/connectForActivity';
import { diffStageCode } from './engine/diffStageCode';
import { requireStagedBundle } from './engine/loadStagedBundle';
import { planWorkspace } from './engine/planWorkspace';
import type { ActivityOptions } from 'durable-functions';
import { failuresAsData } from './failuresAsData';

export async function planEnvironment(input: EnvironmentRef): Promise<PlanEnvironmentResult> {
  const services = appServices();
  // The bundle as this environment deploys it: the operator may choose where its init scripts go.
  const bundle = retargetInitScripts(
    await requireStagedBundle(services.releases, input.bundleId, services.settings.project),
    environmentByName(services.settings, input.environment).boundaries.initScriptTarget,
  );
  const { client, vault } = await connectForActivity(input.environment, { create: false });
  const { stored, ledger } = await planWorkspace(client, bundle, services.ledger, input.environment, vault);
  // Where the plan looked, for the approval page; not part of the plan's id (the steps and basis are).
  const plan = {
    ...stored,
    workspace: client ? { exists: true, url: client.workspaceUrl } : { exists: false },
  };
  await services.releases.writeJson(stagePlanBlobName(input.releaseId, input.environment), plan);
  const changes = plan.steps.filter((s) => s.action !== 'unchanged').length;
  // The audit trail names the plan by its id (the hash of its steps and basis): what an approval approves.
  await appendAudit(plannedAuditEvent(input, plan.planId, changes, compactPlanCounts(plan.summary)));
  const code = await diffStageCode({
    environment: input.environment,
    bundle,
    steps: plan.steps,
    ledger: ledger.ledger,
    store: new DeployedFileStore(services.releases),
    ...(client ? { client } : {}),
    earlierBundle: async () => {
      const known = ledger.ledger.lastKnownGood;
      return known ? materializeBundle(services.releases, known.bundleId) : undefined;
    },
  });
  await services.releases.writeJson(stageCodeDiffBlobName(input.releaseId, input.environment), code);
  return {
    summary: plan.summary,
    changes,
    planId: plan.planId,
    waves: wavesWithWork(bundle, plan.steps, ledger.ledger),
    workspaceExists: client !== undefined,
    ...keptOf(plan.steps, ledger.ledger),
  };
}

/** Ledger entries the plan has no step for: not in the bundle, and kept (with prune on they are delete steps). */
function keptOf(steps: readonly PlanStep[], ledger: Ledger): Pick<PlanEnvironmentResult, 'kept'> {
  const planned = new Set(steps.map((s) => s.key));
  const kept = Object.keys(ledger.entries).filter((key) => !planned.has(key));
  return kept.length > 0 ? { kept: kept.sort().slice(0, 20) } : {};
}

/**
 * Kinds whose `unchanged` steps the apply only re-checks: a file, notebook or init script is unchanged when
 * the ledger has its hash at its target (planning/computePlan.ts), so its wave would write nothing; a
 * cluster or job is unchanged when the live object matches, and its wave writes only a ledger entry that
 * differs (applyClusters, applyJobs), which wavesWithWork checks. Other kinds' waves always run.
 */
const RECHECKED_ONLY = new Set<ResourceKind>(['initScripts', 'notebooks', 'files', 'clusters', 'jobs']);

/**
 * The waves that apply steps and have something to write, to the workspace or to the ledger. Each wave
 * left out saves the release an activity and the live-state reads it would make (a one-notebook push runs
 * the files wave only). What such a wave would have checked (that its unchanged objects did not move since
 * the plan, moments ago) the next release's plan checks.
 */
export function wavesWithWork(bundle: Bundle, steps: readonly PlanStep[], ledger: Ledger): WaveName[] {
  // As applyWave resolves the jobs' cluster names when no cluster changes: the ledger's id, else the plan's.
  const clusterIds = Object.fromEntries(
    bundle.clusters.map((c) => [
      c.name,
      ledger.entries[c.key]?.target ?? steps.find((s) => s.key === c.key)?.liveId,
    ]),
  );
  const writes = (step: PlanStep): boolean => {
    if (step.action !== 'unchanged') return true;
    const entry = ledger.entries[step.key];
    if (step.kind === 'clusters') {
      const cluster = bundle.clusters.find((c) => c.key === step.key);
      return entry?.hash !== cluster?.sha256 || entry?.target !== step.liveId;
    }
    if (step.kind === 'jobs') {
      const job = bundle.jobs.find((j) => j.key === step.key);
      const hash = job ? sha256OfJson(resolveJobSettings(job.settings, clusterIds).settings) : undefined;
      return entry?.hash !== hash || entry?.target !== step.liveId;
    }
    return entry === undefined;
  };
  return WAVES.filter(
    (wave) =>
      wave.applies === 'changes' &&
      (!wave.kinds.every((kind) => RECHECKED_ONLY.has(kind)) || stepsOfWave(steps, wave).some(writes)),
  ).map((wave) => wave.name);
}

/** Options for `df.app.activity('planEnvironment', planEnvironmentOptions)`: permanent failures come back as data. */
export const planEnvironmentOptions: ActivityOptions = { handler: failuresAsData(planEnvironment) };
