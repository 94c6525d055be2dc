// I/O: the plan of one environment: its ledger, the live state of its workspace, and the plan computed from
// them, with the basis of every step (planning/PlanBasis.ts) so that an apply can check nothing moved.
import type { LedgerStore, StoredLedger } from '../../azure/LedgerStore';
import type { DatabricksWorkspaceClient } from '../../databricks/DatabricksWorkspaceClient';
import type { Bundle } from '../../manifest/Bundle';
import { computePlan } from '../../planning/computePlan';
import type { DeployPlan } from '../../planning/DeployPlan';
import { emptyLiveState, type LiveState } from '../../planning/LiveState';
import { basisOfSteps, storedPlanOf, type StoredPlan } from '../../planning/PlanBasis';
import { readLiveState } from './readLiveState';

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
): Promise<WorkspacePlan> {
  const ledger = await ledgerStore.read(environment);
  const live = client ? await readLiveState(client, bundle) : emptyLiveState();
  const plan = computePlan(bundle, live, ledger.ledger);
  const basis = basisOfSteps(bundle, plan.steps, live, ledger.ledger);
  return { plan, stored: storedPlanOf(plan, basis, ledger.etag ?? ''), live, ledger };
}
