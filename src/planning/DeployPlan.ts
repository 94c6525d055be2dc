// Pure: the plan data. A resource key maps to one action, in apply-wave order.
import type { ResourceKind } from '../manifest/Bundle';

/**
 * `adopt`: a file in an allowed root that bricklane did not deploy (not in the ledger). It is overwritten
 * only where the operator allows adoption (BRICKLANE_<ENV>_ADOPT_EXISTING); elsewhere the step fails unwritten.
 */
export type PlanAction = 'create' | 'update' | 'unchanged' | 'delete' | 'adopt';

export interface PlanStep {
  key: string;
  kind: ResourceKind;
  action: PlanAction;
  /** Plan order (planning/waves.ts): the position of the step's wave among the waves that have plan steps. */
  wave: number;
  /** Workspace path, dbfs path, or cluster/job name. */
  target: string;
  /** Why this action (short, for people). */
  reason: string;
  /** Set when the live object differs from what bricklane last deployed (changed outside bricklane). */
  drift?: string;
  /** Live id of the cluster or job this step updates or deletes. */
  liveId?: string;
  /** Top-level fields that differ, for clusters and jobs. */
  changes?: string[];
  /**
   * Clusters and jobs: what changes field by field (planning/diffFields.ts). An update lists every field
   * that differs, by the rules the plan compared with; a create lists its safety-relevant fields
   * (planning/summarizeSafety.ts). Values are cut to a bounded size.
   */
  diff?: FieldChange[];
  /** How many field changes `diff` leaves out (it keeps at most MAX_STEP_FIELD_CHANGES). */
  diffOmitted?: number;
}

/** One field a step changes. An absent `before` is a field not set live; an absent `after`, one removed. */
export interface FieldChange {
  /** JSON path inside the cluster spec or job settings (`num_workers`, `tasks[0].new_cluster.node_type_id`). */
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface KindSummary {
  create: number;
  update: number;
  unchanged: number;
  delete: number;
  drift: number;
  /** Present when the plan adopts something (absent in plans stored before adoption existed). */
  adopt?: number;
}

/**
 * Counts per kind. A kind added after plans were first stored (secrets, policies, permissions) may be absent
 * from a stored one, so readers treat it as optional; summarizePlan always fills every kind (the published
 * status leaves zero counts out itself: release/compactStatus.ts).
 */
export type PlanSummary = Record<Exclude<ResourceKind, AddedKind>, KindSummary> &
  Partial<Record<AddedKind, KindSummary>>;
type AddedKind = 'secrets' | 'policies' | 'permissions';

export interface DeployPlan {
  version: 1;
  environment: string;
  steps: PlanStep[];
  summary: PlanSummary;
  /**
   * What the plan can already tell will fail, without refusing it: a runtime or node type the workspace does
   * not offer (planning/findUnofferedRuntimes.ts). Absent when there is none.
   */
  warnings?: string[];
  /**
   * Where the plan looked (planEnvironment sets it; absent in plans stored before it): the workspace's URL,
   * or `exists: false` when there is no workspace yet and the deploy creates it. The approval page says so.
   */
  workspace?: { exists: boolean; url?: string };
}
