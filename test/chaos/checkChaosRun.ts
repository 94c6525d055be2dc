// Test infrastructure: what a chaos run must leave, checked against a fault-free run of the same bundle:
// the same workspaces (objects, content hashes, policies, permissions, secret scopes, job runs), one cluster,
// job, policy and secret scope per name and one run of each check job, a ledger that describes the workspace, no environment claim left held, a terminal status whose message is true, and
// no secret in any output.
import { isDeepStrictEqual } from 'node:util';
import { AUDIT_CONTAINER } from '../../src/azure/AuditStore';
import { normalizeWorldState, type NormalizedState } from '../sandbox/normalizeWorldState';
import type { ChaosOutcome } from './runChaosRelease';

export interface ChaosVerdict {
  /** Ended as expected (`ending`, succeeded by default) with the fault-free run's workspaces, ledger and no claim held. */
  converged: boolean;
  duplicates: string[];
  stuckClaims: string[];
  /** Set when the release's final word is untrue (or missing). */
  wrongMessage?: string;
  leaks: string[];
  /** Everything that failed, one line each (empty for a good run). */
  problems: string[];
}

interface Snapshot {
  notebooks: Record<string, { sha256: string }>;
  workspaceFiles: Record<string, string>;
  dbfs: Record<string, string>;
  clusters: { cluster_id: string; cluster_name: string }[];
  jobs: { job_id: number; settings: { name?: string } }[];
  /** Absent in states saved before these kinds were in the snapshot (WorkspaceState.snapshot). */
  policies?: { policy_id: string; name: string }[];
  permissions?: Record<string, unknown>;
  secretScopes?: { name: string; keys: Record<string, string> }[];
  runs?: Record<string, { count: number }>;
}

/** A permissions ledger key's object kind (`permissions.policies.<name>`) -> the snapshot's key prefix. */
const PERMISSION_TYPES: Record<string, string> = {
  jobs: 'jobs',
  clusters: 'clusters',
  policies: 'cluster-policies',
  directories: 'directories',
};

/** Causes a chaos run never creates: a message naming one blames what did not happen. */
const UNTRUE_CAUSES = [/changed by another deploy/i, /sandbox host failed/i];

/** A JSON Web Token (every access token the emulated Entra ID and managed identity issue). */
const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/;

export function expectedState(outcome: ChaosOutcome): NormalizedState {
  const status = outcome.status ?? { state: 'none' };
  return normalizeWorldState({ ...outcome.state, releases: [{ ...status, stages: status.stages ?? [] }] });
}

/**
 * `ending`: the state the release must end in (a release whose check fails with BRICKLANE_<ENV>_ROLLBACK=auto
 * ends rolledBack, as its fault-free run does).
 */
export function checkChaosRun(
  outcome: ChaosOutcome,
  baseline: NormalizedState,
  ending = 'succeeded',
): ChaosVerdict {
  const problems: string[] = [];
  const environments = outcome.state.environments as Record<string, Snapshot>;
  const duplicates = Object.entries(environments).flatMap(([env, snapshot]) => [
    ...repeated(snapshot.clusters.map((c) => c.cluster_name)).map(
      (n) => `${env}: cluster "${n}" twice or more`,
    ),
    ...repeated(snapshot.jobs.map((j) => j.settings.name ?? '')).map(
      (n) => `${env}: job "${n}" twice or more`,
    ),
    ...repeated((snapshot.policies ?? []).map((p) => p.name)).map(
      (n) => `${env}: policy "${n}" twice or more`,
    ),
    ...repeated((snapshot.secretScopes ?? []).map((s) => s.name.toLowerCase())).map(
      (n) => `${env}: secret scope "${n}" twice or more`,
    ),
    // A check job runs once per environment per release (a rollback runs it once more, as in the fault-free
    // run); a retried run-now carries its idempotency token.
    ...Object.entries(snapshot.runs ?? {})
      .filter(([job, runs]) => runs.count > Math.max(1, baselineRuns(baseline, env, job)))
      .map(([n, runs]) => `${env}: job "${n}" ran ${runs.count} times`),
  ]);
  problems.push(...duplicates);
  const state = expectedState(outcome);
  const sameState = isDeepStrictEqual(state, baseline);
  if (!sameState)
    problems.push(`final state differs from the fault-free run's: ${differences(state, baseline)}`);
  const ledgerProblems = Object.entries(environments).flatMap(([env, snapshot]) =>
    ledgerMismatches(env, outcome.ledgers[env]?.entries ?? {}, snapshot),
  );
  problems.push(...ledgerProblems);
  const stuckClaims = Object.entries(outcome.claims)
    .filter(([, record]) => holds(record))
    .map(([name, record]) => `${name} still held: ${JSON.stringify(record)}`);
  problems.push(...stuckClaims);
  const wrongMessage = messageProblem(outcome, sameState && ledgerProblems.length === 0);
  if (wrongMessage) problems.push(wrongMessage);
  const leaks = outcome.outputs.flatMap(({ source, text }) => [
    ...outcome.secrets.filter((s) => text.includes(s.value)).map((s) => `${s.name} in ${source}`),
    ...(JWT.test(text) ? [`an access token in ${source}`] : []),
  ]);
  problems.push(...leaks);
  // The scan covers the audit trail: a started release has written its first record there (beginRelease).
  if (outcome.releaseId && !outcome.outputs.some((o) => o.source.startsWith(`${AUDIT_CONTAINER}/`)))
    problems.push(`the secret scan saw no audit trail (${AUDIT_CONTAINER})`);
  if (outcome.error) problems.push(outcome.error);
  if (outcome.status && outcome.status.state !== ending)
    problems.push(
      `the release ended ${outcome.status.state ?? outcome.status.runtimeStatus}: ${statusMessages(outcome.status)}`,
    );
  const endedAsExpected = outcome.status?.state === ending;
  return {
    converged: endedAsExpected && sameState && ledgerProblems.length === 0 && duplicates.length === 0,
    duplicates,
    stuckClaims,
    ...(wrongMessage ? { wrongMessage } : {}),
    leaks,
    problems,
  };
}

/** A success that is not one, or a failure that names no cause or one that did not happen. */
function messageProblem(outcome: ChaosOutcome, deployed: boolean): string | undefined {
  const status = outcome.status;
  if (!status?.runtimeStatus || !['Completed', 'Failed', 'Terminated'].includes(status.runtimeStatus))
    return undefined;
  if (status.state === 'succeeded')
    return deployed ? undefined : 'the release says succeeded, but the environments are not as deployed';
  const messages = statusMessages(status);
  if (!messages) return `the release ended ${status.state ?? status.runtimeStatus} without saying why`;
  const untrue = UNTRUE_CAUSES.find((cause) => cause.test(messages));
  return untrue ? `the release blames a cause that did not happen: ${messages}` : undefined;
}

/**
 * Each ledger entry names an object that is there, with the hash it wrote; every cluster, job, policy and
 * secret scope is in it.
 */
function ledgerMismatches(
  env: string,
  entries: Record<string, { hash: string; target: string }>,
  snapshot: Snapshot,
): string[] {
  const problems: string[] = [];
  const targets = new Set(Object.values(entries).map((e) => e.target));
  for (const [key, entry] of Object.entries(entries)) {
    const name = key.slice(key.indexOf('.') + 1);
    const kind = key.slice(0, key.indexOf('.'));
    if (!isInWorkspace(kind, name, entry, snapshot))
      problems.push(`${env}: ledger entry ${key} -> ${entry.target} is not in the workspace as recorded`);
  }
  for (const cluster of snapshot.clusters)
    if (!targets.has(cluster.cluster_id))
      problems.push(`${env}: cluster ${cluster.cluster_name} (${cluster.cluster_id}) is not in the ledger`);
  for (const job of snapshot.jobs)
    if (!targets.has(String(job.job_id)))
      problems.push(`${env}: job ${job.settings.name} (${job.job_id}) is not in the ledger`);
  for (const policy of snapshot.policies ?? [])
    if (!targets.has(policy.policy_id))
      problems.push(`${env}: policy ${policy.name} (${policy.policy_id}) is not in the ledger`);
  for (const scope of snapshot.secretScopes ?? [])
    if (!targets.has(scope.name)) problems.push(`${env}: secret scope ${scope.name} is not in the ledger`);
  for (const path of Object.keys(snapshot.notebooks))
    if (!targets.has(path)) problems.push(`${env}: notebook ${path} is not in the ledger`);
  return problems;
}

/**
 * One ledger entry's object, as the wave that wrote it records it: an id and name (clusters, jobs, policies), a
 * path (notebooks) with its hash (files, init scripts), a stored access-control list on the object of that name
 * (`permissions.jobs.nightly`, `permissions.directories./Shared/x`), a scope or `scope/key` (applySecrets; scope
 * names compare without case, as the Secrets API does).
 */
function isInWorkspace(
  kind: string,
  name: string,
  entry: { hash: string; target: string },
  snapshot: Snapshot,
): boolean {
  switch (kind) {
    case 'clusters':
      return snapshot.clusters.some((c) => c.cluster_id === entry.target && c.cluster_name === name);
    case 'jobs':
      return snapshot.jobs.some((j) => String(j.job_id) === entry.target && j.settings.name === name);
    case 'notebooks':
      return snapshot.notebooks[entry.target] !== undefined;
    case 'files':
    case 'initScripts':
      return (snapshot.workspaceFiles[entry.target] ?? snapshot.dbfs[entry.target]) === entry.hash;
    case 'policies':
      return (snapshot.policies ?? []).some((p) => p.policy_id === entry.target && p.name === name);
    case 'permissions': {
      const type = PERMISSION_TYPES[name.slice(0, name.indexOf('.'))];
      return (
        type !== undefined &&
        snapshot.permissions?.[`${type}/${name.slice(name.indexOf('.') + 1)}`] !== undefined
      );
    }
    case 'secrets': {
      const [scopeName = '', key] = entry.target.split('/');
      const scope = (snapshot.secretScopes ?? []).find(
        (s) => s.name.toLowerCase() === scopeName.toLowerCase(),
      );
      return scope !== undefined && (key === undefined || scope.keys[key] !== undefined);
    }
    default:
      return true;
  }
}

/** Runs of a check job in the fault-free run's environment (0 when it has none). */
function baselineRuns(baseline: NormalizedState, env: string, job: string): number {
  const environments = baseline.environments as
    Record<string, { runs?: Record<string, { count: number }> }> | undefined;
  return environments?.[env]?.runs?.[job]?.count ?? 0;
}

function repeated(names: string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const name of names) (seen.has(name) ? twice : seen).add(name);
  return [...twice];
}

/** The top-level parts (release, environments.<env>.<kind>) in which two normalized states differ. */
function differences(actual: NormalizedState, expected: NormalizedState): string {
  const parts: string[] = [];
  if (!isDeepStrictEqual(actual.release, expected.release))
    parts.push(`release ${JSON.stringify(actual.release)} instead of ${JSON.stringify(expected.release)}`);
  const a = (actual.environments ?? {}) as Record<string, Record<string, unknown>>;
  const e = (expected.environments ?? {}) as Record<string, Record<string, unknown>>;
  for (const env of new Set([...Object.keys(a), ...Object.keys(e)]))
    for (const kind of new Set([...Object.keys(a[env] ?? {}), ...Object.keys(e[env] ?? {})]))
      if (!isDeepStrictEqual(a[env]?.[kind], e[env]?.[kind])) parts.push(`${env} ${kind}`);
  return parts.join('; ');
}

/**
 * A claim record holds its environment while it names a holder (`releaseId`) or a release queued behind
 * one (`next`); a freed apply lock keeps only who was newest (src/activities/claimEnvironment.ts).
 */
function holds(record: unknown): boolean {
  if (typeof record !== 'object' || record === null) return false;
  return 'releaseId' in record || 'next' in record;
}

/** The release's message and its stages', as one line. */
function statusMessages(status: NonNullable<ChaosOutcome['status']>): string {
  return [status.message, ...(status.stages ?? []).map((s) => s.message && `${s.environment}: ${s.message}`)]
    .filter(Boolean)
    .join(' | ');
}
