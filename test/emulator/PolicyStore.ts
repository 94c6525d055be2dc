// Test infrastructure: the cluster policies of one workspace, and the check clusters/create and clusters/edit make
// against a cluster's policy.
// Rules (https://docs.databricks.com/api/azure/workspace/clusterpolicies): a policy's `name` "has to be unique",
// 1 to 100 characters; `definition` is "a JSON document ... passed as a string"; list answers every policy at once.
// The check follows the "Compute policy reference" (https://learn.microsoft.com/azure/databricks/admin/clusters/policy-definition)
// on its own, independently of bricklane's manifest/checkClusterPolicy.ts, and refuses the way the service does:
// 400 INVALID_PARAMETER_VALUE, one "Validation failed for <attribute>, <reason>" per broken rule joined by "; "
// (the shape reported in databricks/terraform-provider-databricks#403, e.g. "Validation failed for
// driver_node_type_id, the value must be i3.2xlarge (is \"i3.xlarge\")"). Default values are not applied unless
// the request sets apply_policy_default_values (same issue; databrickslabs/dbx#599).
import { ApiError } from './ApiError';
import type { IdSequences } from './IdSequences';
import type { JsonObject, JsonValue } from './JsonValue';

export interface PolicyRecord {
  policyId: string;
  name: string;
  definition: string;
  fields: JsonObject;
  createdAt: number;
}

export class PolicyStore {
  private readonly policies = new Map<string, PolicyRecord>();

  constructor(
    private readonly ids: IdSequences,
    private readonly now: () => number,
    private readonly creatorUserName: string,
  ) {}

  create(body: JsonObject): string {
    const record = this.recordOf(
      body,
      `${this.ids.take('object').toString(16).toUpperCase()}`.padStart(16, '0'),
    );
    this.policies.set(record.policyId, record);
    return record.policyId;
  }

  edit(body: JsonObject): void {
    const existing = this.require(body['policy_id']);
    const record = this.recordOf(body, existing.policyId);
    this.policies.set(existing.policyId, { ...record, createdAt: existing.createdAt });
  }

  delete(policyId: JsonValue | undefined): void {
    this.policies.delete(this.require(policyId).policyId);
  }

  get(policyId: JsonValue | undefined): JsonObject {
    return this.infoOf(this.require(policyId));
  }

  has(policyId: string): boolean {
    return this.policies.has(policyId);
  }

  list(): JsonObject[] {
    return this.records().map((record) => this.infoOf(record));
  }

  records(): PolicyRecord[] {
    return [...this.policies.values()].sort(
      (a, b) => a.createdAt - b.createdAt || (a.policyId < b.policyId ? -1 : 1),
    );
  }

  /** clusters/create and clusters/edit: a cluster naming a policy must satisfy its definition. */
  enforce(spec: JsonObject, clusterType: 'all-purpose' | 'job'): void {
    const policyId = spec['policy_id'];
    if (policyId === undefined || policyId === null) return;
    if (typeof policyId !== 'string' || !this.policies.has(policyId)) {
      throw ApiError.invalidParameter(`Cluster policy ${JSON.stringify(policyId)} does not exist`);
    }
    const definition = JSON.parse(this.require(policyId).definition) as JsonObject;
    const failures = policyFailures(spec, definition, clusterType);
    if (failures.length > 0) throw ApiError.invalidParameter(failures.join('; '));
  }

  toJSON(): PolicyRecord[] {
    return this.records().map((record) => structuredClone(record));
  }

  restore(saved: readonly PolicyRecord[] | undefined): void {
    this.policies.clear();
    for (const record of saved ?? []) this.policies.set(record.policyId, structuredClone(record));
  }

  private recordOf(body: JsonObject, policyId: string): PolicyRecord {
    const name = body['name'];
    if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
      throw ApiError.invalidParameter('name must be between 1 and 100 characters');
    }
    const clash = [...this.policies.values()].find((p) => p.name === name && p.policyId !== policyId);
    if (clash) throw ApiError.invalidParameter(`Policy with name ${name} already exists (${clash.policyId})`);
    const definition = body['definition'] ?? '{}';
    let parsed: unknown;
    try {
      parsed = typeof definition === 'string' ? JSON.parse(definition) : undefined;
    } catch {
      parsed = undefined;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw ApiError.invalidParameter('definition must be a string holding a JSON object');
    }
    const fields: JsonObject = {};
    for (const key of ['description', 'max_clusters_per_user', 'libraries'] as const) {
      const value = body[key];
      if (value !== undefined) fields[key] = structuredClone(value);
    }
    return { policyId, name, definition: definition as string, fields, createdAt: this.now() };
  }

  private infoOf(record: PolicyRecord): JsonObject {
    return {
      policy_id: record.policyId,
      name: record.name,
      definition: record.definition,
      ...structuredClone(record.fields),
      creator_user_name: this.creatorUserName,
      created_at_timestamp: record.createdAt,
      is_default: false,
    };
  }

  private require(policyId: JsonValue | undefined): PolicyRecord {
    const record = typeof policyId === 'string' ? this.policies.get(policyId) : undefined;
    if (!record) throw ApiError.doesNotExist(`Can't find a cluster policy with id: ${String(policyId)}.`);
    return record;
  }
}

/** One reason per broken rule, as the service words them. */
function policyFailures(spec: JsonObject, definition: JsonObject, clusterType: string): string[] {
  const leaves = new Map<string, JsonValue>();
  const walk = (value: JsonValue | undefined, path: string): void => {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${path}.${i}`));
    else if (value !== null && typeof value === 'object')
      for (const [key, item] of Object.entries(value)) walk(item, path === '' ? key : `${path}.${key}`);
    else if (value !== undefined && value !== null && path !== '') leaves.set(path, value);
  };
  walk(spec, '');
  const failures: string[] = [];
  for (const [attribute, rawRule] of Object.entries(definition)) {
    if (rawRule === null || typeof rawRule !== 'object' || Array.isArray(rawRule)) continue;
    const rule = rawRule;
    const fail = (reason: string): void => {
      failures.push(`Validation failed for ${attribute}, ${reason}`);
    };
    if (attribute === 'dbus_per_hour') continue;
    const targets: [string, JsonValue | undefined][] =
      attribute === 'cluster_type'
        ? [[attribute, clusterType]]
        : attribute.includes('*')
          ? [...leaves].filter(([path]) => wildcard(attribute).test(path) && !(path in definition))
          : [[attribute, leaves.get(attribute) ?? ((spec[attribute] ?? undefined) as JsonValue | undefined)]];
    for (const [, value] of targets) {
      const shown = `(is ${JSON.stringify(String(value))})`;
      const values = Array.isArray(rule['values']) ? rule['values'].map(String) : [];
      if (value === undefined) {
        const top = attribute.split('.')[0] ?? attribute;
        const required =
          !['fixed', 'forbidden'].includes(String(rule['type'])) &&
          rule['isOptional'] !== true &&
          !(rule['defaultValue'] !== undefined && spec['apply_policy_default_values'] === true) &&
          (top === attribute || spec[top] !== undefined);
        if (required) fail('the value must be present');
        continue;
      }
      const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
      switch (rule['type']) {
        case 'fixed':
          if (text !== String(rule['value'])) fail(`the value must be ${String(rule['value'])} ${shown}`);
          break;
        case 'forbidden':
          fail('the value cannot be present');
          break;
        case 'allowlist':
          if (!values.includes(text)) fail(`the value must be one of [${values.join(', ')}] ${shown}`);
          break;
        case 'blocklist':
          if (values.includes(text)) fail(`the value cannot be one of [${values.join(', ')}] ${shown}`);
          break;
        case 'regex':
          if (!new RegExp(`^(?:${String(rule['pattern'])})$`).test(text))
            fail(`the value must match the regex ${String(rule['pattern'])} ${shown}`);
          break;
        case 'range': {
          const min = rule['minValue'];
          const max = rule['maxValue'];
          if (typeof value !== 'number') fail(`the value must be a number ${shown}`);
          else if (typeof max === 'number' && value > max) fail(`the value must be at most ${max} ${shown}`);
          else if (typeof min === 'number' && value < min) fail(`the value must be at least ${min} ${shown}`);
          break;
        }
        default:
          break;
      }
    }
  }
  return failures;
}

function wildcard(attribute: string): RegExp {
  const parts = attribute
    .split('.')
    .map((p) => (p === '*' ? '\\d+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('\\.')}$`);
}
