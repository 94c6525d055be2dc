// Pure: what a plan was computed from, per resource key, and whether it has moved since. planEnvironment
// stores the plan with its basis; each apply batch reads the live state of its own objects again and
// applies the stored steps only when their basis still holds. Otherwise it applies nothing and reports the
// drift, so what an approver approved is what is applied (databricks/cli's `deploy --plan` likewise
// refuses a plan whose state has moved: bundle/deployplan).
import type { Bundle, ResourceKind } from '../manifest/Bundle';
import { isVolumeTarget } from '../manifest/isVolumeTarget';
import { sha256OfJson } from '../manifest/sha256OfJson';
import { accessBasisOf } from './accessBasis';
import type { DeployPlan, PlanStep } from './DeployPlan';
import type { Ledger } from './Ledger';
import { findLive, type LiveState } from './LiveState';
import { comparablePolicy, findLivePolicy } from './planPolicy';
import { secretBasisOf } from './planSecrets';

/** The state of one object a plan step was computed from. */
export interface ObjectBasis {
  /** `id <live id>` (clusters, jobs), the listed object type (`NOTEBOOK`, `FILE`), `absent`, or `not read`. */
  live: string;
  /** Clusters and jobs: a short sha256 of each top-level live field the plan compared. */
  fields?: Record<string, string>;
  /** The ledger entry the plan saw (`<hash> <target> <deployedAt>`); absent when there was none. */
  ledger?: string;
}

/** Resource key -> basis, for every step of a plan. */
export type PlanBasis = Record<string, ObjectBasis>;

/** The plan as planEnvironment stores it: what the approval page shows and what the apply batches apply. */
export interface StoredPlan extends DeployPlan {
  /** Names this plan (steps + basis) on the status page: the approved and the applied plan compare by it. */
  planId: string;
  /** The ledger's ETag when the plan was computed. */
  ledgerEtag: string;
  basis: PlanBasis;
}

/** One object whose state moved between the plan and the apply, in words. */
export interface PlanDrift {
  key: string;
  was: string;
  now: string;
}

export const FILE_KINDS: readonly ResourceKind[] = ['initScripts', 'notebooks', 'files'];

export function storedPlanOf(plan: DeployPlan, basis: PlanBasis, ledgerEtag: string): StoredPlan {
  return { ...plan, planId: sha256OfJson({ steps: plan.steps, basis }).slice(0, 12), ledgerEtag, basis };
}

/** The basis of each step, from the live state and ledger the steps were (or are about to be) checked on. */
export function basisOfSteps(
  desired: Bundle,
  steps: readonly PlanStep[],
  live: LiveState,
  ledger: Ledger,
): PlanBasis {
  const clusters = new Map(desired.clusters.map((c) => [c.key, c]));
  const jobs = new Map(desired.jobs.map((j) => [j.key, j]));
  const secrets = new Map(desired.secrets.map((s) => [s.key, s]));
  const policies = new Map(desired.policies.map((p) => [p.key, p]));
  const basis: PlanBasis = {};
  for (const step of steps) {
    const entry = ledger.entries[step.key];
    const recorded = entry
      ? { ledger: `${entry.hash.slice(0, 16)} ${entry.target} ${entry.deployedAt}` }
      : {};
    const cluster = clusters.get(step.key);
    const job = jobs.get(step.key);
    const secret = secrets.get(step.key);
    const policy = policies.get(step.key);
    const access = accessBasisOf(desired, step.key, live, ledger);
    let state: ObjectBasis;
    if (step.action === 'delete') {
      // Pruning is planned from the ledger alone; its basis is the ledger entry.
      state = { live: 'not read' };
    } else if (cluster) {
      const found = findLive(
        live.clusters,
        entry?.target,
        (x) => x.cluster_id,
        (x) => x.cluster_name === cluster.name,
      );
      // A policy named by name is `policy_id` live: the basis watches that field (resolvePolicyNames.ts).
      const { policy_name: policy, ...fields } = cluster.spec;
      const compared = policy === undefined ? cluster.spec : { ...fields, policy_id: policy };
      state = objectBasis(found?.cluster_id, found?.spec, compared);
    } else if (job) {
      const found = findLive(
        live.jobs,
        entry?.target,
        (x) => String(x.job_id),
        (x) => x.name === job.name,
      );
      state = objectBasis(found ? String(found.job_id) : undefined, found?.settings, job.settings);
    } else if (policy) {
      // Found as planPolicy finds it, so that a policy a killed attempt created is seen on the retry.
      const found = findLivePolicy(policy, live, entry?.target);
      state = objectBasis(
        found?.policy_id,
        found && comparablePolicy(found.spec),
        comparablePolicy(policy.spec),
      );
    } else if (secret) {
      state = { live: secretBasisOf(secret, live) };
    } else if (access) {
      state = access;
    } else {
      state = { live: presenceOf(step.target, live) };
    }
    basis[step.key] = { ...state, ...recorded };
  }
  return basis;
}

/** What an apply does with one stored step, given its basis then and now. */
export type StepCheck = 'apply' | 'done' | { drift: { was: string; now: string } };

export function checkStep(
  step: PlanStep,
  planned: ObjectBasis | undefined,
  now: ObjectBasis,
  effect: {
    /** The ledger entry now holds what this step records (a delete: the entry is gone). */
    ledgerHasPlannedHash: boolean;
    /** The live object already is what the step makes (files: present). */
    liveMatchesDesired: boolean;
  },
): StepCheck {
  if (!planned) return { drift: { was: 'not in the approved plan', now: 'to be applied' } };
  // An earlier attempt of this batch (retried after a crash) wrote it and recorded it in the ledger.
  if (now.ledger !== planned.ledger && effect.ledgerHasPlannedHash) return 'done';
  const move = describeMove(planned, now);
  if (!move) return 'apply';
  // ...or wrote it and died before the ledger write: the object already is what the step makes. A file or a
  // secret is written again (an import with overwrite, a secrets/put, is harmless); a cluster or job is left
  // as it is.
  const writes = step.action === 'create' || step.action === 'update' || step.action === 'adopt';
  if (writes && now.ledger === planned.ledger && effect.liveMatchesDesired) {
    return FILE_KINDS.includes(step.kind) || step.kind === 'secrets' ? 'apply' : 'done';
  }
  return { drift: move };
}

/** How an object's basis moved, in words; undefined when it did not. */
export function describeMove(
  planned: ObjectBasis,
  now: ObjectBasis,
): { was: string; now: string } | undefined {
  if (planned.live !== now.live) return { was: planned.live, now: now.live };
  const keys = [...new Set([...Object.keys(planned.fields ?? {}), ...Object.keys(now.fields ?? {})])].sort();
  const changed = keys.filter((k) => planned.fields?.[k] !== now.fields?.[k]);
  if (changed.length > 0) return { was: `${now.live} as planned`, now: `${changed.join(', ')} changed` };
  if (planned.ledger !== now.ledger) {
    return {
      was: planned.ledger ? `ledger entry ${planned.ledger}` : 'no ledger entry',
      now: now.ledger ? `ledger entry ${now.ledger} (deployed since the plan)` : 'no ledger entry',
    };
  }
  return undefined;
}

function objectBasis(
  id: string | undefined,
  liveFields: Record<string, unknown> | undefined,
  desired: Record<string, unknown>,
): ObjectBasis {
  if (id === undefined || !liveFields) return { live: 'absent' };
  const fields = Object.fromEntries(
    Object.keys(desired)
      .sort()
      .map((k) => [k, sha256OfJson(liveFields[k] ?? null).slice(0, 16)]),
  );
  return { live: `id ${id}`, fields };
}

function presenceOf(target: string, live: LiveState): string {
  if (target.startsWith('dbfs:')) {
    if (!live.dbfsFiles) return 'not read';
    return target in live.dbfsFiles ? 'FILE' : 'absent';
  }
  if (isVolumeTarget(target)) {
    if (!live.volumeFiles) return 'not read';
    return target in live.volumeFiles ? 'FILE' : 'absent';
  }
  if (!live.workspaceObjects) return 'not read';
  return live.workspaceObjects[target] ?? 'absent';
}
