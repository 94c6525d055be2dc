// Test infrastructure: the all-purpose clusters of one workspace and their state machine.
// Rules from the Clusters API (https://learn.microsoft.com/azure/databricks/api/workspace/clusters/edit):
// edit only in RUNNING (restarts) or TERMINATED (stays terminated); create is idempotent only with an
// idempotency_token. States advance lazily from timestamps, so no timer keeps a test process alive.
import { ApiError } from './ApiError';
import type { IdSequences } from './IdSequences';
import type { JsonObject } from './JsonValue';

export type ClusterState =
  'PENDING' | 'RUNNING' | 'RESTARTING' | 'RESIZING' | 'TERMINATING' | 'TERMINATED' | 'ERROR';

export interface ClusterRecord {
  clusterId: string;
  /** Exactly the fields the caller sent, without cluster_id and idempotency_token. */
  spec: JsonObject;
  state: ClusterState;
  stateSince: number;
  startTime: number;
  terminatedTime?: number;
  idempotencyToken?: string;
}

export interface ClusterStoreOptions {
  transitionInMs: () => number;
  /** Add the fields the real service fills in (driver_node_type_id, enable_elastic_disk, ...). */
  serverDefaults: () => boolean;
  creatorUserName: string;
}

const nextStates: Partial<Record<ClusterState, ClusterState>> = {
  PENDING: 'RUNNING',
  RESTARTING: 'RUNNING',
  RESIZING: 'RUNNING',
  TERMINATING: 'TERMINATED',
};

const stateMessages: Partial<Record<ClusterState, string>> = {
  PENDING: 'Starting Spark',
  RESTARTING: 'Restarting Spark',
  RESIZING: 'Resizing cluster',
  TERMINATING: 'Terminating the cluster',
  TERMINATED: 'Terminated by user',
};

export class ClusterStore {
  private readonly clusters = new Map<string, ClusterRecord>();

  constructor(
    private readonly ids: IdSequences,
    private readonly now: () => number,
    private readonly options: ClusterStoreOptions,
  ) {}

  create(body: JsonObject, initialState: ClusterState = 'PENDING'): string {
    const token = body['idempotency_token'];
    if (token !== undefined && (typeof token !== 'string' || token.length > 64)) {
      throw ApiError.invalidParameter('idempotency_token must be a string of at most 64 characters');
    }
    if (token !== undefined) {
      const earlier = [...this.clusters.values()].find((cluster) => cluster.idempotencyToken === token);
      if (earlier) return earlier.clusterId;
    }
    const spec = specOf(body);
    const now = this.now();
    const clusterId = clusterIdFor(now, this.ids.take('cluster'));
    this.clusters.set(clusterId, {
      clusterId,
      spec,
      state: initialState,
      stateSince: now,
      startTime: now,
      ...(initialState === 'TERMINATED' ? { terminatedTime: now } : {}),
      ...(token !== undefined ? { idempotencyToken: token } : {}),
    });
    return clusterId;
  }

  edit(body: JsonObject): void {
    const cluster = this.require(body['cluster_id']);
    if (cluster.state !== 'RUNNING' && cluster.state !== 'TERMINATED') {
      throw new ApiError(
        400,
        'INVALID_STATE',
        `Cluster ${cluster.clusterId} is in unexpected state ${cluster.state}; edit needs RUNNING or TERMINATED.`,
      );
    }
    cluster.spec = specOf(body);
    if (cluster.state === 'RUNNING') this.move(cluster, 'RESTARTING');
  }

  start(clusterId: unknown): void {
    const cluster = this.require(clusterId);
    if (cluster.state !== 'TERMINATED') {
      throw new ApiError(
        400,
        'INVALID_STATE',
        `Cluster ${cluster.clusterId} is in unexpected state ${cluster.state}; start needs TERMINATED.`,
      );
    }
    this.move(cluster, 'PENDING');
    cluster.startTime = cluster.stateSince;
    delete cluster.terminatedTime;
  }

  terminate(clusterId: unknown): void {
    const cluster = this.require(clusterId);
    if (cluster.state === 'TERMINATED' || cluster.state === 'TERMINATING') return;
    this.move(cluster, 'TERMINATING');
  }

  permanentDelete(clusterId: unknown): void {
    this.clusters.delete(this.require(clusterId).clusterId);
  }

  info(clusterId: unknown): JsonObject {
    return this.infoOf(this.require(clusterId));
  }

  exists(clusterId: string): boolean {
    return this.clusters.has(clusterId);
  }

  /** In creation order, which is also the order pages are cut in. */
  records(): ClusterRecord[] {
    return [...this.clusters.values()].map((cluster) => this.advance(cluster));
  }

  infoOf(cluster: ClusterRecord): JsonObject {
    this.advance(cluster);
    const spec = structuredClone(cluster.spec);
    const defaults: JsonObject = this.options.serverDefaults()
      ? {
          driver_node_type_id: spec['node_type_id'] ?? null,
          enable_elastic_disk: true,
          disk_spec: {},
          cluster_source: 'API',
          enable_local_disk_encryption: false,
        }
      : {};
    return {
      ...defaults,
      ...spec,
      cluster_id: cluster.clusterId,
      state: cluster.state,
      state_message: stateMessages[cluster.state] ?? '',
      creator_user_name: this.options.creatorUserName,
      start_time: cluster.startTime,
      default_tags: {
        Vendor: 'Databricks',
        Creator: this.options.creatorUserName,
        ClusterName: typeof spec['cluster_name'] === 'string' ? spec['cluster_name'] : '',
        ClusterId: cluster.clusterId,
      },
      ...(cluster.state === 'TERMINATED'
        ? {
            terminated_time: cluster.terminatedTime ?? cluster.stateSince,
            termination_reason: { code: 'USER_REQUEST', type: 'SUCCESS' },
          }
        : {}),
    };
  }

  /** Tests force states; transitional ones then advance as usual. */
  setState(clusterId: string, state: ClusterState): void {
    this.move(this.require(clusterId), state);
  }

  toJSON(): ClusterRecord[] {
    return this.records().map((cluster) => structuredClone(cluster));
  }

  restore(saved: ClusterRecord[]): void {
    this.clusters.clear();
    for (const cluster of saved) this.clusters.set(cluster.clusterId, structuredClone(cluster));
  }

  private require(clusterId: unknown): ClusterRecord {
    if (clusterId === undefined || clusterId === null || clusterId === '') {
      throw ApiError.invalidParameter('Missing required field: cluster_id');
    }
    const cluster = typeof clusterId === 'string' ? this.clusters.get(clusterId) : undefined;
    if (!cluster) throw ApiError.invalidParameter(`Cluster ${String(clusterId)} does not exist`);
    return this.advance(cluster);
  }

  private move(cluster: ClusterRecord, state: ClusterState): void {
    cluster.state = state;
    cluster.stateSince = this.now();
    if (state === 'TERMINATED') cluster.terminatedTime = cluster.stateSince;
  }

  private advance(cluster: ClusterRecord): ClusterRecord {
    const next = nextStates[cluster.state];
    const transitionInMs = this.options.transitionInMs();
    if (next && this.now() - cluster.stateSince >= transitionInMs) {
      cluster.state = next;
      cluster.stateSince += transitionInMs;
      if (next === 'TERMINATED') cluster.terminatedTime = cluster.stateSince;
    }
    return cluster;
  }
}

function specOf(body: JsonObject): JsonObject {
  const spec = structuredClone(body);
  delete spec['cluster_id'];
  delete spec['idempotency_token'];
  for (const field of ['cluster_name', 'spark_version']) {
    if (typeof spec[field] !== 'string' || spec[field] === '') {
      throw ApiError.invalidParameter(`Missing required field: ${field}`);
    }
  }
  if (
    spec['instance_pool_id'] === undefined &&
    (typeof spec['node_type_id'] !== 'string' || spec['node_type_id'] === '')
  ) {
    throw ApiError.invalidParameter('Missing required field: node_type_id (or instance_pool_id)');
  }
  validateInitScripts(spec['init_scripts']);
  const workers = spec['num_workers'];
  if (workers !== undefined && !(typeof workers === 'number' && Number.isInteger(workers) && workers >= 0)) {
    throw ApiError.invalidParameter('num_workers must be a non-negative integer');
  }
  return spec;
}

/**
 * clusters/create `init_scripts` (InitScriptInfo, https://docs.databricks.com/api/azure/workspace/clusters/create):
 * each entry has exactly one storage type with a `destination`. A `workspace` destination is a workspace file path
 * (absolute), a `volumes` one a Unity Catalog volume path (`/Volumes/...`), a `dbfs` one (deprecated) `dbfs:/...`;
 * abfss, file, s3 and gcs name their own storage and pass unchecked.
 */
function validateInitScripts(value: JsonObject[string] | undefined): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw ApiError.invalidParameter('init_scripts must be an array');
  for (const entry of value) {
    const types =
      entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? Object.keys(entry) : [];
    const [type] = types;
    const info = type === undefined ? undefined : (entry as JsonObject)[type];
    const destination =
      info !== null && typeof info === 'object' && !Array.isArray(info) ? info['destination'] : undefined;
    if (types.length !== 1 || !INIT_SCRIPT_TYPES.includes(type ?? '') || typeof destination !== 'string') {
      throw ApiError.invalidParameter(
        `Each init_scripts entry needs exactly one of ${INIT_SCRIPT_TYPES.join(', ')} with a destination`,
      );
    }
    const prefix = { workspace: '/', volumes: '/Volumes/', dbfs: 'dbfs:/' }[type ?? ''];
    if (prefix !== undefined && !destination.startsWith(prefix)) {
      throw ApiError.invalidParameter(
        `A ${type} init script destination must start with ${prefix}: ${destination}`,
      );
    }
  }
}

const INIT_SCRIPT_TYPES = ['workspace', 'volumes', 'dbfs', 'abfss', 'file', 's3', 'gcs'];

// Real ids look like `1125-021501-abcd1234` (date, time, suffix); the suffix carries the sequence.
function clusterIdFor(now: number, sequence: number): string {
  const iso = new Date(now).toISOString();
  const date = iso.slice(5, 7) + iso.slice(8, 10);
  const time = iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
  return `${date}-${time}-e${sequence.toString(36).padStart(7, '0')}`;
}
