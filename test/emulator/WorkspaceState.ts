// Test infrastructure: everything one emulated workspace holds, plus direct access for tests.
// Tests seed objects "created outside bricklane" and read results here without going through HTTP.
import { createHash } from 'node:crypto';
import { ClusterStore } from './ClusterStore';
import type { ClusterRecord, ClusterState } from './ClusterStore';
import { DbfsStore } from './DbfsStore';
import type { SavedDbfsEntry } from './DbfsStore';
import type { IdSequences } from './IdSequences';
import { JobStore } from './JobStore';
import type { JobRecord } from './JobStore';
import type { JsonObject, JsonValue } from './JsonValue';
import {
  PermissionStore,
  type DirectEntries,
  type PermissionObjectType,
  type PrincipalDirectory,
} from './PermissionStore';
import { PolicyStore, type PolicyRecord } from './PolicyStore';
import { RateLimiter } from './RateLimiter';
import type { RateLimits } from './RateLimiter';
import { RequestCounters } from './RequestCounters';
import { RunStore, type SavedRuns } from './RunStore';
import { SecretStore, type SavedSecretScope } from './SecretStore';
import { VolumeStore } from './VolumeStore';
import type { SavedVolumes } from './VolumeStore';
import type { CounterSnapshot } from './RequestCounters';
import { WorkspaceTree } from './WorkspaceTree';
import type { ImportRequest, ObjectStatus, SavedWorkspaceObject } from './WorkspaceTree';

export interface WorkspaceEnvironment {
  ids: IdSequences;
  now: () => number;
  clusterTransitionInMs: () => number;
  clusterServerDefaults: () => boolean;
  rateLimits: RateLimits | false;
}

export interface WorkspaceSnapshot {
  notebooks: Record<string, { language: string; sha256: string }>;
  workspaceFiles: Record<string, string>;
  /** Keyed `dbfs:/...`. */
  dbfs: Record<string, string>;
  /** Files in Unity Catalog volumes (Files API), keyed `/Volumes/...`. */
  volumeFiles: Record<string, string>;
  clusters: { cluster_id: string; cluster_name: string; state: ClusterState; spec: JsonObject }[];
  jobs: { job_id: number; settings: JsonObject }[];
  /** Cluster policies with the fields policies/get answers that a deploy sets (no creator or timestamps). */
  policies: SnapshotPolicy[];
  /**
   * Direct access-control entries (`group_name:admins` -> level) of every object that has a stored list, keyed by
   * type and the object's name, not its id: `jobs/<job name>`, `clusters/<cluster name>`,
   * `cluster-policies/<policy name>`, `directories/<folder path>`.
   */
  permissions: Record<string, DirectEntries>;
  /** Databricks-backed secret scopes: each key with the sha256 of its value (never the value), and the ACLs. */
  secretScopes: { name: string; keys: Record<string, string>; acls: Record<string, string> }[];
  /** Job runs by job name: how many, and how each ended (or its life-cycle state while it has not). */
  runs: Record<string, { count: number; results: string[] }>;
}

export interface SnapshotPolicy {
  policy_id: string;
  name: string;
  definition: string;
  description?: JsonValue;
  max_clusters_per_user?: JsonValue;
  libraries?: JsonValue;
}

export interface SavedWorkspace {
  name: string;
  tokens: string[];
  tree: SavedWorkspaceObject[];
  dbfs: SavedDbfsEntry[];
  /** Absent in worlds saved before volumes were modelled. */
  volumes?: SavedVolumes;
  clusters: ClusterRecord[];
  jobs: JobRecord[];
  /** Absent in worlds saved before policies and permissions were modelled. */
  policies?: PolicyRecord[];
  permissions?: Record<string, DirectEntries>;
  /** Absent in worlds saved before secret scopes were modelled. */
  secrets?: SavedSecretScope[];
  /** Absent in worlds saved before job runs were modelled. */
  runs?: SavedRuns;
}

export const creatorUserName = 'bricklane-emulator@example.com';

export class WorkspaceState {
  readonly tree: WorkspaceTree;
  readonly dbfs: DbfsStore;
  readonly volumes: VolumeStore;
  readonly clusters: ClusterStore;
  readonly jobs: JobStore;
  readonly policies: PolicyStore;
  readonly permissions: PermissionStore;
  readonly secrets: SecretStore;
  readonly runs: RunStore;
  /** The workspace's origin once it listens (DatabricksEmulator sets it), for run_page_url. */
  origin = '';
  readonly requestCounters = new RequestCounters();
  readonly rateLimiter: RateLimiter;
  private readonly tokens: Set<string>;

  constructor(
    readonly name: string,
    tokens: string[],
    environment: WorkspaceEnvironment,
  ) {
    const { ids, now } = environment;
    this.tokens = new Set(tokens);
    this.tree = new WorkspaceTree(ids, now);
    this.dbfs = new DbfsStore(ids, now);
    this.volumes = new VolumeStore(now);
    this.clusters = new ClusterStore(ids, now, {
      transitionInMs: environment.clusterTransitionInMs,
      serverDefaults: environment.clusterServerDefaults,
      creatorUserName,
    });
    this.jobs = new JobStore(ids, now, (clusterId) => this.clusters.exists(clusterId));
    this.runs = new RunStore(ids, now, this.jobs, () => this.origin);
    this.policies = new PolicyStore(ids, now, creatorUserName);
    this.secrets = new SecretStore(now, creatorUserName);
    this.permissions = new PermissionStore(
      defaultDirectory(),
      (type, id) => this.objectExists(type, id),
      creatorUserName,
    );
    this.rateLimiter = new RateLimiter(environment.rateLimits, now);
  }

  hasToken(token: string): boolean {
    return this.tokens.has(token);
  }

  addToken(token: string): void {
    this.tokens.add(token);
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  get counters(): CounterSnapshot {
    return this.requestCounters.snapshot();
  }

  // Seeding and inspection for tests.

  mkdirs(path: string): void {
    this.tree.mkdirs(path);
  }

  importObject(request: ImportRequest): void {
    this.tree.import(request);
  }

  getObject(path: string): ObjectStatus | undefined {
    return this.tree.find(path) ? this.tree.getStatus(path) : undefined;
  }

  /** Bytes of a notebook or workspace file, as imported. */
  readFile(path: string): Buffer | undefined {
    const bytes = this.tree.find(path)?.bytes;
    return bytes ? Buffer.from(bytes) : undefined;
  }

  /** Any size: seeding skips the 1 MiB block limit that dbfs/put enforces. */
  putDbfs(path: string, bytes: Buffer): void {
    this.dbfs.seed(path, bytes);
  }

  readDbfs(path: string): Buffer | undefined {
    return this.dbfs.read(path);
  }

  /** A Unity Catalog volume (`/Volumes/<catalog>/<schema>/<volume>`), created outside the Files API. */
  addVolume(root: string): void {
    this.volumes.addVolume(root);
  }

  /** A cluster "created outside bricklane"; RUNNING unless told otherwise. */
  createCluster(spec: JsonObject, state: ClusterState = 'RUNNING'): string {
    return this.clusters.create(spec, state);
  }

  getCluster(clusterId: string): JsonObject | undefined {
    return this.clusters.exists(clusterId) ? this.clusters.info(clusterId) : undefined;
  }

  listClusters(): JsonObject[] {
    return this.clusters.records().map((cluster) => this.clusters.infoOf(cluster));
  }

  setClusterState(clusterId: string, state: ClusterState): void {
    this.clusters.setState(clusterId, state);
  }

  createJob(settings: JsonObject): number {
    return this.jobs.create(settings);
  }

  getJob(jobId: number): JsonObject | undefined {
    return this.jobs.records().some((job) => job.jobId === jobId) ? this.jobs.get(jobId) : undefined;
  }

  /** Full records, tasks included. */
  listJobs(): JsonObject[] {
    return this.jobs.records().map((job) => this.jobs.get(job.jobId));
  }

  /** A user, group or service principal the workspace knows (the Permissions API refuses others). */
  addPrincipal(kind: keyof PrincipalDirectory, name: string): void {
    this.permissions.principals[kind].add(name);
  }

  private objectExists(type: 'jobs' | 'clusters' | 'cluster-policies' | 'directories', id: string): boolean {
    if (type === 'jobs') return this.jobs.records().some((job) => String(job.jobId) === id);
    if (type === 'clusters') return this.clusters.exists(id);
    if (type === 'cluster-policies') return this.policies.has(id);
    return this.tree
      .entries()
      .some(([, object]) => object.type === 'DIRECTORY' && String(object.objectId) === id);
  }

  snapshot(): WorkspaceSnapshot {
    const snapshot: WorkspaceSnapshot = {
      ...emptySnapshot(),
      policies: this.policies.records().map((p) => ({
        policy_id: p.policyId,
        name: p.name,
        definition: p.definition,
        ...structuredClone(p.fields),
      })),
      permissions: this.permissionsByName(),
      secretScopes: this.secrets.toJSON().map((scope) => ({
        name: scope.name,
        keys: Object.fromEntries(scope.secrets.map((s) => [s.key, sha256(Buffer.from(s.value, 'base64'))])),
        acls: Object.fromEntries(scope.acls.map((a) => [a.principal, a.permission])),
      })),
      runs: this.runsByJobName(),
    };
    for (const [path, object] of this.tree.entries()) {
      if (object.type === 'NOTEBOOK') {
        snapshot.notebooks[path] = { language: object.language ?? 'PYTHON', sha256: sha256(object.bytes) };
      } else if (object.type === 'FILE') {
        snapshot.workspaceFiles[path] = sha256(object.bytes);
      }
    }
    for (const [path, bytes] of this.dbfs.files()) snapshot.dbfs[`dbfs:${path}`] = sha256(bytes);
    for (const [path, bytes] of this.volumes.files()) snapshot.volumeFiles[path] = sha256(bytes);
    for (const cluster of this.clusters.records()) {
      const name = cluster.spec['cluster_name'];
      snapshot.clusters.push({
        cluster_id: cluster.clusterId,
        cluster_name: typeof name === 'string' ? name : '',
        state: cluster.state,
        spec: structuredClone(cluster.spec),
      });
    }
    for (const job of this.jobs.records()) {
      snapshot.jobs.push({ job_id: job.jobId, settings: structuredClone(job.settings) });
    }
    return snapshot;
  }

  /** The stored lists keyed by object name; a list whose object is gone is left out (it went with the object). */
  private permissionsByName(): Record<string, DirectEntries> {
    const names: Record<PermissionObjectType, Map<string, string>> = {
      jobs: new Map(this.jobs.records().map((j) => [String(j.jobId), String(j.settings['name'] ?? '')])),
      clusters: new Map(
        this.clusters.records().map((c) => [c.clusterId, String(c.spec['cluster_name'] ?? '')]),
      ),
      'cluster-policies': new Map(this.policies.records().map((p) => [p.policyId, p.name])),
      directories: new Map(
        this.tree
          .entries()
          .filter(([, object]) => object.type === 'DIRECTORY')
          .map(([path, object]) => [String(object.objectId), path]),
      ),
    };
    const byName: Record<string, DirectEntries> = {};
    for (const [key, entries] of Object.entries(this.permissions.toJSON())) {
      const type = key.slice(0, key.indexOf('/')) as PermissionObjectType;
      const id = key.slice(key.indexOf('/') + 1);
      const name = names[type]?.get(id);
      if (name === undefined) continue;
      // Two objects of one name (a duplicate the chaos checks report) keep both lists.
      const named = `${type}/${name}`;
      byName[named in byName ? `${named} (${id})` : named] = entries;
    }
    return byName;
  }

  /** Runs in the order they started; a run of a job deleted since is named by the job's id. */
  private runsByJobName(): Record<string, { count: number; results: string[] }> {
    const runs: Record<string, { count: number; results: string[] }> = {};
    for (const record of this.runs.records().sort((a, b) => a.runId - b.runId)) {
      const job = this.jobs.records().find((j) => j.jobId === record.jobId);
      const name = job ? String(job.settings['name'] ?? '') : `job ${record.jobId}`;
      const state = this.runs.get(record.runId)['state'] as JsonObject;
      const entry = (runs[name] ??= { count: 0, results: [] });
      entry.count += 1;
      entry.results.push(String(state['result_state'] ?? state['life_cycle_state']));
    }
    return runs;
  }

  toJSON(): SavedWorkspace {
    return {
      name: this.name,
      tokens: [...this.tokens],
      tree: this.tree.toJSON(),
      dbfs: this.dbfs.toJSON(),
      volumes: this.volumes.toJSON(),
      clusters: this.clusters.toJSON(),
      jobs: this.jobs.toJSON(),
      policies: this.policies.toJSON(),
      permissions: this.permissions.toJSON(),
      secrets: this.secrets.toJSON(),
      runs: this.runs.toJSON(),
    };
  }

  restore(saved: SavedWorkspace): void {
    this.tokens.clear();
    for (const token of saved.tokens) this.tokens.add(token);
    this.tree.restore(saved.tree);
    this.dbfs.restore(saved.dbfs);
    this.volumes.restore(saved.volumes);
    this.clusters.restore(saved.clusters);
    this.jobs.restore(saved.jobs);
    this.policies.restore(saved.policies);
    this.permissions.restore(saved.permissions);
    this.secrets.restore(saved.secrets);
    this.runs.restore(saved.runs);
  }
}

/** What a workspace that does not exist yet shows (LocalWorld.state() before an environment's first deploy). */
export function emptySnapshot(): WorkspaceSnapshot {
  return {
    notebooks: {},
    workspaceFiles: {},
    dbfs: {},
    volumeFiles: {},
    clusters: [],
    jobs: [],
    policies: [],
    permissions: {},
    secretScopes: [],
    runs: {},
  };
}

/**
 * Who the emulated workspace knows: its creator, the built-in `admins` and `users` groups, and the groups the sample
 * bundle grants to (artifacts/), so that the sandbox deploys the samples as they are.
 */
function defaultDirectory(): PrincipalDirectory {
  return {
    user_name: new Set([creatorUserName]),
    group_name: new Set(['admins', 'users', 'data-engineers', 'data-analysts']),
    service_principal_name: new Set(),
  };
}

function sha256(bytes: Buffer | undefined): string {
  return createHash('sha256')
    .update(bytes ?? Buffer.alloc(0))
    .digest('hex');
}
