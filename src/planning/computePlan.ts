// Pure: desired bundle + live workspace + ledger -> ordered plan.
// Files are compared by content hash against the ledger, so an unchanged artifact costs no write;
// clusters and jobs are compared against the live object too, so a change made outside bricklane
// shows up as drift instead of being silently kept or silently overwritten.
import type { Bundle, ResourceKind } from '../manifest/Bundle';
import { RESOURCE_KINDS } from '../manifest/Bundle';
import { isVolumeTarget } from '../manifest/isVolumeTarget';
import { sha256OfJson } from '../manifest/sha256OfJson';
import type { DeployPlan, KindSummary, PlanStep, PlanSummary } from './DeployPlan';
import { PRUNE_WAVE, WAVE_OF_KIND } from './waves';
import type { Ledger } from './Ledger';
import { findLive, type LiveState } from './LiveState';
import { createStep } from './createStep';
import { createDiff, updateDiff } from './diffFields';
import { differingKeys } from './isSubsetEqual';
import { planPermissions } from './planPermissions';
import { planPolicy } from './planPolicy';
import { planSecrets } from './planSecrets';
import { resolveJobSettings } from './resolveJobSettings';
import { resolvePolicyNames } from './resolvePolicyNames';

export function computePlan(desired: Bundle, live: LiveState, ledger: Ledger): DeployPlan {
  const policySteps = desired.policies.map((p) => planPolicy(p, live, ledger));
  const policyIds = Object.fromEntries(desired.policies.map((p, i) => [p.name, policySteps[i]?.liveId]));
  const clusterSteps = desired.clusters.map((c) => planCluster(c, live, ledger, policyIds));
  const clusterIds = liveClusterIds(desired, clusterSteps);
  const secrets = planSecrets(desired, live, ledger);
  const steps: PlanStep[] = [
    ...desired.initScripts.map((s) => planFile('initScripts', s.key, s.target, s.sha256, live, ledger)),
    ...policySteps,
    ...clusterSteps,
    ...secrets.steps,
    ...desired.notebooks.map((n) => planFile('notebooks', n.key, n.target, n.sha256, live, ledger)),
    ...desired.files.map((f) => planFile('files', f.key, f.target, f.sha256, live, ledger)),
    ...desired.jobs.map((j) => planJob(j, clusterIds, live, ledger, policyIds)),
    ...desired.permissions.map((p) => planPermissions(p, live, ledger)),
    ...(desired.options.prune ? planPrune(desired, ledger) : []),
  ];
  steps.sort((a, b) => a.wave - b.wave || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    version: 1,
    environment: ledger.environment,
    steps,
    summary: summarizePlan(steps),
    ...(secrets.warnings.length > 0 ? { warnings: secrets.warnings } : {}),
  };
}

export function summarizePlan(steps: readonly PlanStep[]): PlanSummary {
  const summary = Object.fromEntries(
    RESOURCE_KINDS.map((k) => [k, { create: 0, update: 0, unchanged: 0, delete: 0, drift: 0 }]),
  ) as Record<ResourceKind, KindSummary>;
  for (const s of steps) {
    if (s.action === 'adopt') summary[s.kind].adopt = (summary[s.kind].adopt ?? 0) + 1;
    else summary[s.kind][s.action] += 1;
    if (s.drift) summary[s.kind].drift += 1;
  }
  return summary;
}

function planFile(
  kind: ResourceKind,
  key: string,
  target: string,
  sha256: string,
  live: LiveState,
  ledger: Ledger,
): PlanStep {
  const entry = ledger.entries[key];
  const present = isPresent(target, live);
  const base = { key, kind, wave: WAVE_OF_KIND[kind], target };
  if (!entry) {
    // Someone else's object where the bundle deploys: never overwritten silently (issue 10).
    return present === true
      ? {
          ...base,
          action: 'adopt',
          reason:
            'exists in the workspace but bricklane did not deploy it (not in the ledger); overwritten only where the operator allows adoption',
        }
      : createStep(base, false);
  }
  if (present === false) return createStep(base, true);
  if (entry.hash !== sha256 || entry.target !== target) {
    return { ...base, action: 'update', reason: 'content changed' };
  }
  return { ...base, action: 'unchanged', reason: 'same content hash as deployed' };
}

/** true/false when the live listing covers the path, undefined when presence was not read. */
function isPresent(target: string, live: LiveState): boolean | undefined {
  if (target.startsWith('dbfs:')) return live.dbfsFiles ? target in live.dbfsFiles : undefined;
  if (isVolumeTarget(target)) return live.volumeFiles ? target in live.volumeFiles : undefined;
  return live.workspaceObjects ? target in live.workspaceObjects : undefined;
}

function planCluster(
  c: Bundle['clusters'][number],
  live: LiveState,
  ledger: Ledger,
  policyIds: Record<string, string | undefined>,
): PlanStep {
  const entry = ledger.entries[c.key];
  const found = findLive(
    live.clusters,
    entry?.target,
    (x) => x.cluster_id,
    (x) => x.cluster_name === c.name,
  );
  const base = { key: c.key, kind: 'clusters' as const, wave: WAVE_OF_KIND.clusters, target: c.name };
  if (!found) {
    return { ...createStep(base, entry !== undefined), ...createDiff(c.spec) };
  }
  const liveId = found.cluster_id;
  // The spec names its policy by name; the live cluster holds the id (resolvePolicyNames.ts).
  const resolved = resolvePolicyNames(c.spec, policyIds);
  if (resolved.unresolved.length > 0) {
    return {
      ...base,
      action: 'update',
      liveId,
      changes: ['policy_id'],
      ...updateDiff(resolved.value, found.spec),
      reason: `cluster policy ${resolved.unresolved.join(', ')} is created by this deploy`,
    };
  }
  const changes = differingKeys(resolved.value, found.spec);
  if (changes.length === 0) {
    return { ...base, action: 'unchanged', liveId, reason: 'live spec matches; no restart' };
  }
  const drift =
    entry && entry.hash === c.sha256 ? `changed outside bricklane: ${changes.join(', ')}` : undefined;
  return {
    ...base,
    action: 'update',
    liveId,
    changes,
    ...updateDiff(resolved.value, found.spec),
    reason: 'spec changed',
    ...(drift ? { drift } : {}),
  };
}

function planJob(
  j: Bundle['jobs'][number],
  clusterIds: Record<string, string | undefined>,
  live: LiveState,
  ledger: Ledger,
  policyIds: Record<string, string | undefined>,
): PlanStep {
  const entry = ledger.entries[j.key];
  const found = findLive(
    live.jobs,
    entry?.target,
    (x) => String(x.job_id),
    (x) => x.name === j.name,
  );
  const base = { key: j.key, kind: 'jobs' as const, wave: WAVE_OF_KIND.jobs, target: j.name };
  if (!found) {
    return { ...createStep(base, entry !== undefined), ...createDiff(j.settings) };
  }
  const liveId = String(found.job_id);
  const resolved = resolveJobSettings(j.settings, clusterIds, policyIds);
  if (resolved.unresolved.length > 0) {
    return {
      ...base,
      action: 'update',
      liveId,
      changes: ['tasks'],
      ...updateDiff(resolved.settings, found.settings),
      reason: `cluster ${resolved.unresolved.join(', ')} is created by this deploy`,
    };
  }
  const changes = differingKeys(resolved.settings, found.settings);
  if (changes.length === 0) return { ...base, action: 'unchanged', liveId, reason: 'live settings match' };
  const drift =
    entry && entry.hash === sha256OfJson(resolved.settings)
      ? `changed outside bricklane: ${changes.join(', ')}`
      : undefined;
  return {
    ...base,
    action: 'update',
    liveId,
    changes,
    ...updateDiff(resolved.settings, found.settings),
    reason: 'settings changed',
    ...(drift ? { drift } : {}),
  };
}

/** Ids of clusters that already exist live and keep their id through this deploy. */
function liveClusterIds(desired: Bundle, clusterSteps: PlanStep[]): Record<string, string | undefined> {
  const ids: Record<string, string | undefined> = {};
  desired.clusters.forEach((c, i) => {
    ids[c.name] = clusterSteps[i]?.liveId;
  });
  return ids;
}

function planPrune(desired: Bundle, ledger: Ledger): PlanStep[] {
  const wanted = new Set(
    [
      desired.initScripts,
      desired.policies,
      desired.clusters,
      desired.secrets,
      desired.notebooks,
      desired.files,
      desired.jobs,
      desired.permissions,
    ].flatMap((items) => items.map((i) => i.key)),
  );
  return Object.entries(ledger.entries)
    .filter(([key]) => !wanted.has(key))
    .map(([key, entry]): PlanStep => {
      const kind = key.slice(0, key.indexOf('.')) as ResourceKind;
      const isObject = kind === 'clusters' || kind === 'jobs' || kind === 'policies';
      return {
        key,
        kind,
        action: 'delete',
        wave: PRUNE_WAVE,
        target: isObject ? key.slice(kind.length + 1) : entry.target,
        reason: 'removed from the bundle (prune is on)',
        ...(isObject ? { liveId: entry.target } : {}),
      };
    });
}
