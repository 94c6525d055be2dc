// I/O: the plan of one environment: its ledger, the live state of its workspace, and the plan computed from
// them, with the basis of every step (planning/PlanBasis.ts) so that an apply can check nothing moved.
import type { LedgerStore, StoredLedger } from '../../azure/LedgerStore';
import type { DatabricksWorkspaceClient } from '../../databricks/DatabricksWorkspaceClient';
import type { Bundle } from '../../manifest/Bundle';
import { computePlan } from '../../planning/computePlan';
import type { DeployPlan } from '../../planning/DeployPlan';
import { emptyLiveState, type LiveState } from '../../planning/LiveState';
import {
  clusterSpecsOf,
  findUnofferedRuntimes,
  type ClusterOfferings,
} from '../../planning/findUnofferedRuntimes';
import { basisOfSteps, storedPlanOf, type StoredPlan } from '../../planning/PlanBasis';
import { readLiveState } from './readLiveState';
import { readSecretState } from './readSecretState';
import type { BundleSecretVault } from '../../azure/BundleSecretVault';

export interface WorkspacePlan {
  plan: DeployPlan;
  /** The plan with its basis, as planEnvironment stores it. */
  stored: StoredPlan;
  live: LiveState;
  ledger: StoredLedger;
}

/** `client` undefined: the workspace does not exist yet, so it holds nothing and the plan creates everything. */
export async function planWorkspace(
  client: DatabricksWorkspaceClient | undefined,
  bundle: Bundle,
  ledgerStore: LedgerStore,
  environment: string,
  vault?: BundleSecretVault,
): Promise<WorkspacePlan> {
  const ledger = await ledgerStore.read(environment);
  const specs = clusterSpecsOf(bundle);
  // The offerings feed warnings about the cluster specs this deploy writes (clusters, job clusters). A redeploy
  // whose clusters match the ledger and whose jobs are all known reads them only if the plan still writes a
  // cluster or job, after planning.
  const entries = ledger.ledger.entries;
  const clustersMayChange =
    bundle.clusters.some((c) => entries[c.key]?.hash !== c.sha256) ||
    bundle.jobs.some((j) => !entries[j.key]);
  const [live, offeredEarly] = await Promise.all([
    client ? readLiveState(client, bundle, undefined, ledger.ledger) : emptyLiveState(),
    client && specs.length > 0 && clustersMayChange ? readOfferings(client) : undefined,
  ]);
  Object.assign(live, await readSecretState(client, bundle, vault));
  const plan = computePlan(bundle, live, ledger.ledger);
  const writesClusters = plan.steps.some(
    (s) => (s.kind === 'clusters' || s.kind === 'jobs') && (s.action === 'create' || s.action === 'update'),
  );
  const offered =
    offeredEarly ??
    (client && specs.length > 0 && !clustersMayChange && writesClusters
      ? await readOfferings(client)
      : undefined);
  // What the bundle as this environment deploys it says about itself (an operator's init-script target).
  const warnings = [
    ...(bundle.environmentWarnings ?? []),
    ...(offered ? findUnofferedRuntimes(specs, offered) : []),
  ];
  if (warnings.length > 0) plan.warnings = [...(plan.warnings ?? []), ...warnings];
  const basis = basisOfSteps(bundle, plan.steps, live, ledger.ledger);
  return { plan, stored: storedPlanOf(plan, basis, ledger.etag ?? ''), live, ledger };
}

/**
 * The runtimes and node types the workspace offers: two GETs, once per plan, only for a bundle with cluster
 * specs that may be written. They feed warnings only, so a workspace that does not answer them gets none:
 * the service judges the create.
 */
async function readOfferings(client: DatabricksWorkspaceClient): Promise<ClusterOfferings | undefined> {
  try {
    const [sparkVersions, nodeTypes] = await Promise.all([
      client.listSparkVersions(),
      client.listNodeTypes(),
    ]);
    return { sparkVersions, nodeTypes };
  } catch {
    return undefined;
  }
}
