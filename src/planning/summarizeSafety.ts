// Pure: what an approver must see before anything else: who jobs run as, who gets which permission, which
// init scripts run on which cluster, how big clusters get and under which policy, what is deleted and what
// bricklane takes over. Read from the plan's field diffs (planning/diffFields.ts), so it shows exactly
// what the plan will change. Fields: Jobs API `run_as`, `access_control_list`, `git_source`
// (https://docs.databricks.com/api/azure/workspace/jobs/create), 2.0's `run_as_user_name`; Clusters API
// `node_type_id`, `driver_node_type_id`, `num_workers`, `autoscale`, `policy_id`, `init_scripts`
// (https://docs.databricks.com/api/azure/workspace/clusters/create).
import type { ResourceKind } from '../manifest/Bundle';
import type { DeployPlan, PlanStep } from './DeployPlan';

export type SafetyTopic = 'runAs' | 'permissions' | 'gitSource' | 'initScripts' | 'clusterSize' | 'policy';

/** The topics in the order the approval page shows them. */
export const SAFETY_TOPICS: readonly SafetyTopic[] = [
  'runAs',
  'permissions',
  'gitSource',
  'initScripts',
  'clusterSize',
  'policy',
];

/** One principal whose permission level changes; an absent level is no permission. */
export interface PermissionChange {
  /** `user alice@contoso.com`, `group admins`, `service principal 7f3c…`. */
  principal: string;
  before?: string;
  after?: string;
}

export interface SafetyChange {
  topic: SafetyTopic;
  key: string;
  kind: ResourceKind;
  /** The cluster or job name. */
  target: string;
  action: PlanStep['action'];
  /** The field's JSON path inside the spec or settings. */
  path: string;
  before?: unknown;
  after?: unknown;
  /** Permissions only: each principal whose level changes. */
  permissions?: PermissionChange[];
}

export interface SafetySummary {
  changes: SafetyChange[];
  deletes: PlanStep[];
  adoptions: PlanStep[];
  /** Keys of steps whose diff was cut: more may change there than the page shows. */
  cut: string[];
}

// A cluster's fields at the top of a cluster spec, or in a job's cluster (job_clusters, a task's or a
// for-each task's new_cluster).
const CLUSTER = String.raw`^(?:job_clusters\[\d+\]\.new_cluster\.|tasks\[\d+\]\.(?:for_each_task\.task\.)?new_cluster\.)?`;
const TOPIC_PATTERNS: ReadonlyArray<[SafetyTopic, RegExp]> = [
  ['runAs', /^(?:run_as|run_as_user_name)$/],
  ['permissions', /^access_control_list$/],
  ['gitSource', /^git_source(?:\.|$)/],
  ['initScripts', new RegExp(`${CLUSTER}init_scripts$`)],
  [
    'clusterSize',
    new RegExp(
      `${CLUSTER}(?:node_type_id|driver_node_type_id|num_workers|autoscale(?:\\.(?:min|max)_workers)?)$`,
    ),
  ],
  ['policy', new RegExp(`${CLUSTER}policy_id$`)],
];

/** The safety topic of a field path of a cluster spec or job settings, if it has one. */
export function safetyTopicOf(path: string): SafetyTopic | undefined {
  return TOPIC_PATTERNS.find(([, pattern]) => pattern.test(path))?.[0];
}

/** An adoption overwrites an object bricklane did not deploy (planning/computePlan.ts). */
export function isAdoption(step: PlanStep): boolean {
  return step.action === 'adopt';
}

export function summarizeSafety(plan: Pick<DeployPlan, 'steps'>): SafetySummary {
  const summary: SafetySummary = { changes: [], deletes: [], adoptions: [], cut: [] };
  for (const step of plan.steps) {
    if (step.action === 'delete') summary.deletes.push(step);
    if (isAdoption(step)) summary.adoptions.push(step);
    if (step.diffOmitted) summary.cut.push(step.key);
    for (const field of step.diff ?? []) {
      const topic = safetyTopicOf(field.path);
      if (!topic) continue;
      summary.changes.push({
        topic,
        key: step.key,
        kind: step.kind,
        target: step.target,
        action: step.action,
        ...field,
        ...(topic === 'permissions' ? { permissions: permissionChanges(field.before, field.after) } : {}),
      });
    }
  }
  return summary;
}

/** Who gains, loses or changes a permission level between two access-control lists. */
export function permissionChanges(before: unknown, after: unknown): PermissionChange[] {
  const was = levelsOf(before);
  const now = levelsOf(after);
  return [...new Set([...was.keys(), ...now.keys()])]
    .sort()
    .filter((principal) => was.get(principal) !== now.get(principal))
    .map((principal) => {
      const b = was.get(principal);
      const a = now.get(principal);
      return {
        principal,
        ...(b !== undefined ? { before: b } : {}),
        ...(a !== undefined ? { after: a } : {}),
      };
    });
}

const PRINCIPAL_FIELDS: ReadonlyArray<[string, string]> = [
  ['user_name', 'user'],
  ['group_name', 'group'],
  ['service_principal_name', 'service principal'],
];

/** `{ "user_name": "alice@contoso.com" }` (an ACL entry, a `run_as`) -> `user alice@contoso.com`; 2.0's `run_as_user_name` is a user. */
export function describePrincipal(value: unknown): string | undefined {
  if (typeof value === 'string') return `user ${value}`;
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const named = PRINCIPAL_FIELDS.find(([field]) => typeof record[field] === 'string');
  return named ? `${named[1]} ${String(record[named[0]])}` : undefined;
}

/** principal -> level(s), from an `access_control_list` ([{user_name, permission_level}, ...]). */
function levelsOf(acl: unknown): Map<string, string> {
  const levels = new Map<string, string>();
  if (!Array.isArray(acl)) return levels;
  for (const entry of acl) {
    // A cut list ends in a text item (`… 3 more`): it is shown as it is.
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      levels.set(String(entry), '');
      continue;
    }
    const record = entry as Record<string, unknown>;
    const principal = describePrincipal(record) ?? JSON.stringify(record);
    const level = String(record.permission_level ?? '(no level)');
    const known = levels.get(principal);
    levels.set(principal, known ? `${known}, ${level}` : level);
  }
  return levels;
}
