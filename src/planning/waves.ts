// Pure: the deploy sequence, written once. The durable orchestration (deployEnvironment) schedules one
// activity per wave (or per batch of a batched wave) by walking this list; the CLI walks the same list in
// process (activities/engine/applyPlan.ts); applyWave dispatches a wave by its name through one table
// (activities/engine/waveAppliers.ts). Adding a resource kind means adding an entry here and its applier.
// A failed wave stops only the waves that depend on it, as databricks/cli's deploy phases do
// (bundle/phases/deploy.go): notebooks depend on nothing and still deploy when a cluster fails.
import type { ResourceKind } from '../manifest/Bundle';
import type { PlanStep } from './DeployPlan';

export type WaveName =
  | 'initScripts'
  | 'policies'
  | 'clusters'
  | 'secrets'
  | 'files'
  | 'jobs'
  | 'permissions'
  | 'lifecycle'
  | 'prune';

export interface Wave {
  name: WaveName;
  /** The resource kinds whose steps the wave applies, and so whose live state it reads and checks. */
  kinds: readonly ResourceKind[];
  /**
   * Which plan steps the wave applies: the create/update/unchanged steps of its kinds, the deletes of every
   * kind (pruning), or none (lifecycle acts on the clusters this deploy created or edited).
   */
  applies: 'changes' | 'deletes' | 'touchedClusters';
  /** The waves whose failure (or skip, or drift) holds this one back; 'all' = every wave before it. */
  dependsOn: readonly WaveName[] | 'all';
  /** Shown on each held-back step: `skipped: <reason>`. */
  skipReason: string;
  /** Applied in batches of the bundle's items (sorted by key), which run in parallel. */
  batched: boolean;
}

export const WAVES: readonly Wave[] = [
  {
    name: 'initScripts',
    kinds: ['initScripts'],
    applies: 'changes',
    dependsOn: [],
    skipReason: '',
    batched: false,
  },
  {
    // Before clusters: a cluster (or job cluster) names its policy's id, which a new policy gets here.
    name: 'policies',
    kinds: ['policies'],
    applies: 'changes',
    dependsOn: [],
    skipReason: '',
    batched: false,
  },
  {
    name: 'clusters',
    kinds: ['clusters'],
    applies: 'changes',
    dependsOn: ['initScripts', 'policies'],
    skipReason: 'an init script or cluster policy failed to deploy',
    batched: false,
  },
  {
    // Scopes, their ACLs, and the secrets copied into them from Key Vault. Nothing waits for them: notebooks
    // and jobs read secrets only when they run (dbutils.secrets.get), so a deploy may write them in any order.
    name: 'secrets',
    kinds: ['secrets'],
    applies: 'changes',
    dependsOn: [],
    skipReason: '',
    batched: false,
  },
  {
    name: 'files',
    kinds: ['notebooks', 'files'],
    applies: 'changes',
    dependsOn: [],
    skipReason: '',
    batched: true,
  },
  {
    name: 'jobs',
    kinds: ['jobs'],
    applies: 'changes',
    dependsOn: ['policies', 'clusters', 'files'],
    skipReason: 'a cluster, policy or notebook it may use failed to deploy',
    batched: false,
  },
  {
    // After the objects they are set on: a job or cluster created by this deploy has an id only now.
    name: 'permissions',
    kinds: ['permissions'],
    applies: 'changes',
    dependsOn: ['policies', 'clusters', 'files', 'jobs'],
    skipReason: 'an object they are set on failed to deploy',
    batched: false,
  },
  {
    // Only clusters this deploy created or edited: the seed's stop-every-cluster step killed running
    // workloads on clusters the deploy never changed.
    name: 'lifecycle',
    kinds: ['clusters'],
    applies: 'touchedClusters',
    dependsOn: [],
    skipReason: '',
    batched: false,
  },
  {
    // Deleting is the one step that cannot be taken back: only when everything else went through.
    name: 'prune',
    kinds: ['initScripts', 'policies', 'clusters', 'secrets', 'notebooks', 'files', 'jobs', 'permissions'],
    applies: 'deletes',
    dependsOn: 'all',
    skipReason: 'the deploy had failures',
    batched: false,
  },
];

export function waveNamed(name: WaveName): Wave {
  const wave = WAVES.find((w) => w.name === name);
  if (!wave) throw new Error(`unknown wave ${name}`);
  return wave;
}

/** What a finished wave tells the waves after it. */
export interface WaveTally {
  wave: WaveName;
  failed: number;
  skipped: number;
  /** Keys whose live state moved since the plan: the wave applied nothing. */
  drift?: readonly unknown[];
}

export type WaveDecision = { run: true } | { run: false; skip?: string };

/**
 * Whether a wave runs, given whether it has anything to do and how the waves before it went. A wave with
 * nothing to do is left out; one whose dependencies did not all go through is skipped with its reason.
 */
export function decideWave(wave: Wave, hasWork: boolean, before: readonly WaveTally[]): WaveDecision {
  if (!hasWork) return { run: false };
  const blockers = before.filter(
    (t) =>
      (wave.dependsOn === 'all' || wave.dependsOn.includes(t.wave)) &&
      (t.failed > 0 || t.skipped > 0 || (t.drift?.length ?? 0) > 0),
  );
  return blockers.length > 0 ? { run: false, skip: wave.skipReason } : { run: true };
}

/** The plan steps a wave applies (see Wave.applies). */
export function stepsOfWave(steps: readonly PlanStep[], wave: Wave): PlanStep[] {
  if (wave.applies === 'deletes') return steps.filter((s) => s.action === 'delete');
  if (wave.applies === 'touchedClusters') return [];
  return steps.filter((s) => s.action !== 'delete' && wave.kinds.includes(s.kind));
}

/** Plan order of a kind's steps (PlanStep.wave): the position of its wave among the waves with plan steps. */
export function planOrderOf(kind: ResourceKind | 'delete'): number {
  const planned = WAVES.filter((w) => w.applies !== 'touchedClusters');
  const index = planned.findIndex((w) =>
    kind === 'delete' ? w.applies === 'deletes' : w.applies === 'changes' && w.kinds.includes(kind),
  );
  return index;
}

/** The items of a batched wave in batch order, and the keys of batch `batch` of `batchSize`. */
export function batchKeys(keys: readonly string[], batch: number, batchSize: number): Set<string> {
  const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return new Set(sorted.slice(batch * batchSize, (batch + 1) * batchSize));
}

/** Plan order of each kind's steps, from the one list of waves. */
export const WAVE_OF_KIND: Record<ResourceKind, number> = {
  initScripts: planOrderOf('initScripts'),
  policies: planOrderOf('policies'),
  clusters: planOrderOf('clusters'),
  secrets: planOrderOf('secrets'),
  notebooks: planOrderOf('notebooks'),
  files: planOrderOf('files'),
  jobs: planOrderOf('jobs'),
  permissions: planOrderOf('permissions'),
};
export const PRUNE_WAVE = planOrderOf('delete');
