// I/O (activity): applies one wave (or one batch of the files wave) of the stored plan to one environment.
// It does not plan again: it loads its slice of the plan planEnvironment stored (the one the approver saw),
// reads the live state of the kinds its wave touches only, and checks the basis of each step. When every
// object is as planned, the stored steps are applied as stored; when one moved, nothing is applied and the
// drift comes back, so the release can plan and ask again. A retried or resumed batch finds what an earlier
// attempt wrote in the ledger and does not write it again. Step failures come back as data; errors that a
// retry can fix (ledger conflicts, outages) are thrown for the retry policy.
import { environmentByName } from '../config/loadSettings';
import type { Bundle } from '../manifest/Bundle';
import { retargetInitScripts } from '../manifest/retargetInitScripts';
import { sha256OfJson } from '../manifest/sha256OfJson';
import type { PlanStep } from '../planning/DeployPlan';
import { isSubsetEqual } from '../planning/isSubsetEqual';
import type { Ledger } from '../planning/Ledger';
import { findLive, type LiveState } from '../planning/LiveState';
import { accessEffectOf } from '../planning/accessBasis';
import { basisOfSteps, checkStep, type PlanDrift, type StoredPlan } from '../planning/PlanBasis';
import { findLivePolicy, planPolicy } from '../planning/planPolicy';
import { secretEffectOf } from '../planning/planSecrets';
import { resolveJobSettings } from '../planning/resolveJobSettings';
import { policyIdsOfLedger, resolvePolicyNames } from '../planning/resolvePolicyNames';
import { batchKeys, stepsOfWave, waveNamed, type Wave } from '../planning/waves';
import type { ApplyWaveInput, WaveResult } from './contracts';
import type { ApplyContext, StepOutcome } from './engine/ApplyContext';
import { appServices } from '../services/appServices';
import { connectForActivity } from './engine/connectForActivity';
import { requireStagedBundle } from './engine/loadStagedBundle';
import { loadStoredPlan } from './engine/loadStoredPlan';
import { readLiveState } from './engine/readLiveState';
import { readSecretState } from './engine/readSecretState';
import { updateLedger } from './engine/updateLedger';
import { keepDeployedFiles } from './engine/keepDeployedFiles';
import { DeployedFileStore } from '../azure/DeployedFileStore';
import { WAVE_APPLIERS } from './engine/waveAppliers';
import type { ActivityOptions } from 'durable-functions';
import { failuresAsData } from './failuresAsData';

const SHOWN_FAILURES = 20;
const SHOWN_DRIFT = 20;

export async function applyWave(input: ApplyWaveInput): Promise<WaveResult> {
  const services = appServices();
  const wave = waveNamed(input.wave);
  const environment = environmentByName(services.settings, input.environment);
  // As planEnvironment planned it: the bundle as this environment deploys it (its init-script target).
  const bundle = retargetInitScripts(
    await requireStagedBundle(services.releases, input.bundleId, services.settings.project),
    environment.boundaries.initScriptTarget,
  );
  const plan = await loadStoredPlan(services.releases, input.releaseId, input.environment, input.planId);
  const { client, vault } = await connectForActivity(input.environment, { create: false });
  if (!client)
    throw new Error(`environment ${input.environment} has no workspace; provisionEnvironment runs first`);
  const stored = await services.ledger.read(input.environment);
  const ledger = { ...stored.ledger, entries: { ...stored.ledger.entries } };
  const slice = sliceOf(bundle, wave, input);
  const mine = new Set(keysOf(slice));
  const steps = stepsOfWave(plan.steps, wave).filter((s) => s.action === 'delete' || mine.has(s.key));
  const live = await readLiveState(client, slice, wave.applies === 'changes' ? wave.kinds : [], ledger);
  if (wave.kinds.includes('secrets') && wave.applies === 'changes') {
    Object.assign(live, await readSecretState(client, slice, vault));
  }
  const clusterIds = clusterIdsOf(bundle, plan, ledger);
  const checked = checkSteps(bundle, plan, steps, live, ledger, clusterIds);
  if (checked.drift.length > 0) {
    return {
      wave: input.wave,
      batch: input.batch ?? 0,
      done: 0,
      failed: 0,
      skipped: steps.length,
      failures: [],
      drift: checked.drift.slice(0, SHOWN_DRIFT),
    };
  }
  const ctx: ApplyContext = {
    client,
    bundle,
    bundleVerified: true,
    ledger,
    now: () => new Date().toISOString(),
    concurrency: Math.max(services.settings.maxInFlight * 2, 8),
    clusterWaitTimeoutInMs: 20 * 60_000,
    clusterPollIntervalInMs: 5_000,
    boundaries: environment.boundaries,
    ...(vault ? { vault } : {}),
    directoryImport: environment.directoryImport !== false,
    notices: [],
  };
  let outcomes: StepOutcome[];
  try {
    // Steps done by an earlier attempt are recorded as done (a cluster or job: its ledger entry too).
    const done = checked.done.map((s) => recordDone(ctx, s, clusterIds));
    const clusterOutcomes = (input.clusterIds ?? []).map((id): StepOutcome => ({
      key: `clusters.${id}`,
      action: 'update',
      status: 'done',
      id,
    }));
    const applied = await WAVE_APPLIERS[wave.name](ctx, {
      steps: checked.apply,
      live,
      clusterIds,
      clusterOutcomes,
    });
    outcomes = [...done, ...applied];
  } finally {
    await updateLedger(services.ledger, stored.ledger, ledger);
  }
  // What the next plan's code diff shows as "runs now" (issue 17).
  await keepDeployedFiles(new DeployedFileStore(services.releases), bundle, outcomes);
  const bad = outcomes.filter((o) => o.status !== 'done');
  return {
    wave: input.wave,
    batch: input.batch ?? 0,
    done: outcomes.length - bad.length,
    failed: bad.filter((o) => o.status === 'failed').length,
    skipped: bad.filter((o) => o.status === 'skipped').length,
    failures: bad.slice(0, SHOWN_FAILURES).map((o) => ({ key: o.key, message: o.message ?? o.status })),
    ...(ctx.notices && ctx.notices.length > 0 ? { notices: ctx.notices } : {}),
    ...(input.wave === 'clusters'
      ? {
          touchedClusterIds: outcomes
            .filter((o) => o.status === 'done' && o.action !== 'unchanged' && o.id)
            .map((o) => o.id ?? ''),
        }
      : {}),
  };
}

interface CheckedSteps {
  apply: PlanStep[];
  /** Written by an earlier attempt of this batch. */
  done: { step: PlanStep; id?: string }[];
  drift: PlanDrift[];
}

/** Each stored step against the live state and ledger now: apply, already done, or moved (drift). */
function checkSteps(
  bundle: Bundle,
  plan: StoredPlan,
  steps: readonly PlanStep[],
  live: LiveState,
  ledger: Ledger,
  clusterIds: Readonly<Record<string, string | undefined>>,
): CheckedSteps {
  const now = basisOfSteps(bundle, steps, live, ledger);
  const result: CheckedSteps = { apply: [], done: [], drift: [] };
  for (const step of steps) {
    const effect = effectOf(bundle, step, live, ledger, clusterIds);
    const check = checkStep(step, plan.basis[step.key], now[step.key] ?? { live: 'absent' }, effect);
    if (check === 'apply') result.apply.push(step);
    else if (check === 'done') result.done.push({ step, ...(effect.id ? { id: effect.id } : {}) });
    else result.drift.push({ key: step.key, ...check.drift });
  }
  return result;
}

/** Whether the step's effect is already in place: in the ledger, or in the live object. */
function effectOf(
  bundle: Bundle,
  step: PlanStep,
  live: LiveState,
  ledger: Ledger,
  clusterIds: Readonly<Record<string, string | undefined>>,
): { ledgerHasPlannedHash: boolean; liveMatchesDesired: boolean; id?: string } {
  const entry = ledger.entries[step.key];
  if (step.action === 'delete') return { ledgerHasPlannedHash: !entry, liveMatchesDesired: false };
  const cluster = bundle.clusters.find((c) => c.key === step.key);
  if (cluster) {
    const found = findLive(
      live.clusters,
      entry?.target,
      (x) => x.cluster_id,
      (x) => x.cluster_name === cluster.name,
    );
    return {
      ledgerHasPlannedHash: entry?.hash === cluster.sha256,
      liveMatchesDesired:
        found !== undefined &&
        isSubsetEqual(resolvePolicyNames(cluster.spec, policyIdsOfLedger(ledger)).value, found.spec),
      ...(found ? { id: found.cluster_id } : entry ? { id: entry.target } : {}),
    };
  }
  const policy = bundle.policies.find((p) => p.key === step.key);
  if (policy) {
    // A policy created or edited by a killed attempt, before its ledger write: the live one is as planned.
    const found = findLivePolicy(policy, live, entry?.target);
    return {
      ledgerHasPlannedHash: entry?.hash === policy.sha256,
      liveMatchesDesired: found !== undefined && planPolicy(policy, live, ledger).action === 'unchanged',
      ...(found ? { id: found.policy_id } : entry ? { id: entry.target } : {}),
    };
  }
  const secret = bundle.secrets.find((s) => s.key === step.key);
  if (secret) return secretEffectOf(secret, live, ledger);
  const access = accessEffectOf(bundle, step.key, live, ledger);
  if (access) return access;
  const job = bundle.jobs.find((j) => j.key === step.key);
  if (job) {
    const resolved = resolveJobSettings(job.settings, clusterIds, policyIdsOfLedger(ledger)).settings;
    const found = findLive(
      live.jobs,
      entry?.target,
      (x) => String(x.job_id),
      (x) => x.name === job.name,
    );
    return {
      ledgerHasPlannedHash: entry?.hash === sha256OfJson(resolved),
      liveMatchesDesired: found !== undefined && isSubsetEqual(resolved, found.settings),
      ...(found ? { id: String(found.job_id) } : entry ? { id: entry.target } : {}),
    };
  }
  const item = [...bundle.initScripts, ...bundle.notebooks, ...bundle.files].find((i) => i.key === step.key);
  const target = step.target;
  const present = target.startsWith('dbfs:')
    ? live.dbfsFiles?.[target] === true
    : ['NOTEBOOK', 'FILE'].includes(live.workspaceObjects?.[target] ?? '');
  return {
    ledgerHasPlannedHash: item !== undefined && entry?.hash === item.sha256,
    liveMatchesDesired: present,
  };
}

/** A step an earlier attempt did: reported done, and its ledger entry kept (or written, for a lost write). */
function recordDone(
  ctx: ApplyContext,
  { step, id }: { step: PlanStep; id?: string },
  clusterIds: Readonly<Record<string, string | undefined>>,
): StepOutcome {
  const cluster = ctx.bundle.clusters.find((c) => c.key === step.key);
  const policy = ctx.bundle.policies.find((p) => p.key === step.key);
  const job = ctx.bundle.jobs.find((j) => j.key === step.key);
  const hash = cluster
    ? cluster.sha256
    : policy
      ? policy.sha256
      : job
        ? sha256OfJson(resolveJobSettings(job.settings, clusterIds, policyIdsOfLedger(ctx.ledger)).settings)
        : undefined;
  const prev = ctx.ledger.entries[step.key];
  if (hash !== undefined && id !== undefined && (prev?.hash !== hash || prev.target !== id)) {
    ctx.ledger.entries[step.key] = { hash, target: id, deployedAt: ctx.now() };
  }
  return { key: step.key, action: step.action, status: 'done', ...(id !== undefined ? { id } : {}) };
}

/**
 * Cluster name -> live id for the jobs wave: what the clusters wave recorded in the ledger, else the id the
 * plan found.
 */
function clusterIdsOf(bundle: Bundle, plan: StoredPlan, ledger: Ledger): Record<string, string | undefined> {
  const planned = new Map(plan.steps.filter((s) => s.kind === 'clusters').map((s) => [s.key, s.liveId]));
  return Object.fromEntries(
    bundle.clusters.map((c) => [c.name, ledger.entries[c.key]?.target ?? planned.get(c.key)]),
  );
}

/** The part of the bundle one wave (or batch) applies: its kinds, and of a batched wave, its batch. */
function sliceOf(bundle: Bundle, wave: Wave, input: ApplyWaveInput): Bundle {
  const sliced: Bundle = {
    ...bundle,
    initScripts: [],
    policies: [],
    clusters: [],
    secrets: [],
    notebooks: [],
    files: [],
    jobs: [],
    permissions: [],
  };
  if (wave.applies !== 'changes') return sliced;
  const keys = wave.kinds.flatMap((kind) => bundle[kind].map((i) => i.key));
  const batch = wave.batched
    ? batchKeys(keys, input.batch ?? 0, input.batchSize ?? Number.MAX_SAFE_INTEGER)
    : new Set(keys);
  for (const kind of wave.kinds) {
    Object.assign(sliced, { [kind]: (bundle[kind] as { key: string }[]).filter((i) => batch.has(i.key)) });
  }
  return sliced;
}

function keysOf(bundle: Bundle): string[] {
  return [
    bundle.initScripts,
    bundle.policies,
    bundle.clusters,
    bundle.secrets,
    bundle.notebooks,
    bundle.files,
    bundle.jobs,
    bundle.permissions,
  ].flatMap((items) => items.map((i) => i.key));
}

/** Options for `df.app.activity('applyWave', applyWaveOptions)`: permanent failures come back as data. */
export const applyWaveOptions: ActivityOptions = { handler: failuresAsData(applyWave) };
