// Pure: one cluster spec against one cluster policy definition -> every rule it breaks.
// The rules are the Databricks "Compute policy reference"
// (https://learn.microsoft.com/azure/databricks/admin/clusters/policy-definition):
// - an attribute path is the Clusters API field name, nested names joined by dots (`autoscale.max_workers`,
//   `spark_conf.spark.databricks.io.cache.enabled`, `custom_tags.team`); array elements are `<field>.<index>`
//   or `<field>.*` for every element (`init_scripts.*.workspace.destination`), and a rule for an index wins
//   over the wildcard for that element;
// - `fixed`: the value, when given, must be the policy's (numbers and booleans compare as their strings, as the
//   reference says values "must be represented by or convertible to a string"); left out, the policy sets it;
// - `forbidden`: the attribute must not be set;
// - `allowlist` / `blocklist` (`values`), `regex` (`pattern`, anchored at both ends), `range` (`minValue`,
//   `maxValue`, numbers only) and `unlimited`: "a limiting policy on an attribute makes it required" unless
//   `isOptional` is true; `defaultValue` fills it only when the create sets `apply_policy_default_values`
//   ("default values don't automatically get applied to compute created with the Clusters API");
// - the virtual attribute `cluster_type` is `all-purpose` for clusters/*.json and `job` for job clusters;
//   `dbus_per_hour` depends on prices bricklane cannot know and is left to the service.
// A required attribute is asked for only where its parent object is set (or at the top level): the reference
// marks `autoscale.*` optional numbers, and a cluster with `num_workers` has no autoscale to fill.

export type ClusterType = 'all-purpose' | 'job';

/** One broken rule: the attribute, the rule's type, and what the rule allows, in words. */
export interface PolicyViolation {
  /** Attribute path as the policy names it (`spark_conf.spark.x`, `init_scripts.0.workspace.destination`). */
  attribute: string;
  /** Where it sits in the spec, as JSON path segments (for the diagnostic's `path`). */
  segments: (string | number)[];
  rule: string;
  /** What is wrong and what the policy allows. */
  problem: string;
}

/** A policy definition problem, found before any spec is checked against it. */
export interface DefinitionProblem {
  attribute: string;
  problem: string;
}

type Json = Record<string, unknown>;

interface Leaf {
  attribute: string;
  segments: (string | number)[];
  value: unknown;
}

const RULE_TYPES = ['fixed', 'forbidden', 'allowlist', 'blocklist', 'regex', 'range', 'unlimited'];
/** Virtual attributes (reference: "Virtual attribute paths"). */
const VIRTUAL = new Set(['cluster_type', 'dbus_per_hour']);

/** What is wrong with a definition itself: unknown rule types, missing fields, bad patterns. */
export function checkPolicyDefinition(definition: Json): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  for (const [attribute, rule] of Object.entries(definition)) {
    const bad = (problem: string): void => {
      problems.push({ attribute, problem });
    };
    if (!isJson(rule)) {
      bad('must be a rule object such as {"type": "fixed", "value": ...}');
      continue;
    }
    const type = rule['type'];
    if (typeof type !== 'string' || !RULE_TYPES.includes(type)) {
      bad(`has type ${JSON.stringify(type)}; the types are ${RULE_TYPES.join(', ')}`);
    } else if (type === 'fixed' && !('value' in rule)) bad('is fixed but has no `value`');
    else if ((type === 'allowlist' || type === 'blocklist') && !Array.isArray(rule['values']))
      bad(`is an ${type} but has no \`values\` array`);
    else if (type === 'regex') {
      if (typeof rule['pattern'] !== 'string') bad('is a regex but has no `pattern` string');
      else if (compile(rule['pattern']) === undefined)
        bad(`has pattern ${JSON.stringify(rule['pattern'])}, which is not a valid regular expression`);
    } else if (type === 'range') {
      const { minValue, maxValue } = rule;
      if (minValue === undefined && maxValue === undefined)
        bad('is a range with neither minValue nor maxValue');
      else if (
        (minValue !== undefined && typeof minValue !== 'number') ||
        (maxValue !== undefined && typeof maxValue !== 'number')
      )
        bad('is a range whose minValue and maxValue must be numbers');
    }
  }
  return problems;
}

/** Every rule of `definition` that `spec` breaks; a valid definition is assumed (checkPolicyDefinition). */
export function checkClusterPolicy(
  spec: Json,
  definition: Json,
  clusterType: ClusterType,
): PolicyViolation[] {
  const leaves = flatten(spec);
  const byAttribute = new Map(leaves.map((leaf) => [leaf.attribute, leaf]));
  const violations: PolicyViolation[] = [];
  const fillsDefaults = spec['apply_policy_default_values'] === true;
  for (const [attribute, rule] of Object.entries(definition)) {
    if (!isJson(rule) || typeof rule['type'] !== 'string') continue;
    const type = rule['type'];
    const broken = (at: Leaf | undefined, problem: string): void => {
      violations.push({ attribute, segments: at?.segments ?? attribute.split('.'), rule: type, problem });
    };
    if (attribute === 'cluster_type') {
      const problem = valueProblem(rule, clusterType);
      if (problem) broken(undefined, `is ${clusterType} here, but ${problem}`);
      continue;
    }
    if (VIRTUAL.has(attribute)) continue;
    const matches = attribute.includes('*')
      ? leavesMatching(attribute, leaves).filter((leaf) => !definitionHasIndexedRule(definition, leaf))
      : [];
    const given = attribute.includes('*')
      ? matches
      : [byAttribute.get(attribute) ?? objectAt(spec, attribute)].filter((l): l is Leaf => l !== undefined);
    if (given.length === 0) {
      const required = !['fixed', 'forbidden'].includes(type) && rule['isOptional'] !== true;
      const filled = rule['defaultValue'] !== undefined && fillsDefaults;
      if (required && !filled && !attribute.includes('*') && parentIsSet(spec, attribute)) {
        broken(
          undefined,
          `is required by the policy (${describeRule(rule)})${rule['defaultValue'] !== undefined ? `; set it, or set "apply_policy_default_values": true to take the default ${JSON.stringify(rule['defaultValue'])}` : '; set it'}`,
        );
      }
      continue;
    }
    for (const leaf of given) {
      if (type === 'forbidden') broken(leaf, 'is forbidden by the policy; remove it');
      else {
        const problem = valueProblem(rule, leaf.value);
        if (problem) broken(leaf, `is ${JSON.stringify(leaf.value)}, but ${problem}`);
      }
    }
  }
  return violations;
}

/** Why `value` breaks a value rule, in words; undefined when it does not. */
function valueProblem(rule: Json, value: unknown): string | undefined {
  const type = rule['type'];
  const values = Array.isArray(rule['values']) ? (rule['values'] as unknown[]) : [];
  if (type === 'fixed') {
    return sameValue(rule['value'], value)
      ? undefined
      : `the policy fixes it to ${JSON.stringify(rule['value'])}`;
  }
  if (type === 'forbidden') return 'the policy forbids it';
  if (type === 'allowlist') {
    return values.some((v) => sameValue(v, value))
      ? undefined
      : `the policy allows only ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (type === 'blocklist') {
    return values.some((v) => sameValue(v, value))
      ? `the policy blocks ${values.map((v) => JSON.stringify(v)).join(', ')}`
      : undefined;
  }
  if (type === 'regex') {
    const pattern = typeof rule['pattern'] === 'string' ? rule['pattern'] : '';
    return compile(pattern)?.test(String(value)) === true
      ? undefined
      : `the policy requires it to match /${pattern}/`;
  }
  if (type === 'range') {
    const { minValue, maxValue } = rule;
    const within =
      typeof value === 'number' &&
      (typeof minValue !== 'number' || value >= minValue) &&
      (typeof maxValue !== 'number' || value <= maxValue);
    return within ? undefined : `the policy requires a number ${describeRule(rule)}`;
  }
  return undefined;
}

function describeRule(rule: Json): string {
  const type = String(rule['type']);
  if (type === 'range') {
    const { minValue, maxValue } = rule;
    if (typeof minValue === 'number' && typeof maxValue === 'number')
      return `from ${minValue} to ${maxValue}`;
    return typeof minValue === 'number' ? `of at least ${minValue}` : `of at most ${String(maxValue)}`;
  }
  if (type === 'allowlist' || type === 'blocklist') {
    const values = Array.isArray(rule['values']) ? (rule['values'] as unknown[]) : [];
    return `${type} ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (type === 'regex') return `regex /${String(rule['pattern'])}/`;
  return type;
}

/** Numbers and booleans compare as their strings (`"true"` is `true`, `"2"` is `2`), as the reference converts. */
function sameValue(a: unknown, b: unknown): boolean {
  const scalar = (v: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof v);
  if (scalar(a) && scalar(b)) return String(a) === String(b);
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every scalar of the spec with its attribute path (object keys and array indexes joined by dots). */
function flatten(value: unknown, segments: (string | number)[] = []): Leaf[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => flatten(item, [...segments, i]));
  if (isJson(value)) return Object.entries(value).flatMap(([key, item]) => flatten(item, [...segments, key]));
  return segments.length === 0 ? [] : [{ attribute: segments.join('.'), segments, value }];
}

/** A rule on an object or array attribute (`autoscale`, `init_scripts`): present when anything is under it. */
function objectAt(spec: Json, attribute: string): Leaf | undefined {
  const value = spec[attribute];
  return value !== undefined && typeof value === 'object' && value !== null
    ? { attribute, segments: [attribute], value }
    : undefined;
}

function leavesMatching(attribute: string, leaves: readonly Leaf[]): Leaf[] {
  const pattern = new RegExp(
    `^${attribute
      .split('.')
      .map((part) => (part === '*' ? '\\d+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('\\.')}$`,
  );
  return leaves.filter((leaf) => pattern.test(leaf.attribute));
}

/** `init_scripts.0.workspace.destination` has its own rule, so `init_scripts.*...` does not judge it. */
function definitionHasIndexedRule(definition: Json, leaf: Leaf): boolean {
  return leaf.attribute !== '' && leaf.attribute in definition;
}

function parentIsSet(spec: Json, attribute: string): boolean {
  const top = attribute.split('.')[0] ?? attribute;
  return top === attribute || spec[top] !== undefined;
}

function compile(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}

function isJson(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
