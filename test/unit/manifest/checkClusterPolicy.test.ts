import { describe, expect, it } from 'vitest';
import { checkClusterPolicy, checkPolicyDefinition } from '../../../src/manifest/checkClusterPolicy';

const SPEC = {
  cluster_name: 'Small',
  spark_version: '15.4.x-scala2.12',
  node_type_id: 'Standard_DS3_v2',
  num_workers: 2,
  autotermination_minutes: 30,
  spark_conf: { 'spark.databricks.delta.preview.enabled': 'true' },
  custom_tags: { project: 'sample' },
  init_scripts: [
    { workspace: { destination: '/Shared/proj/init.sh' } },
    { volumes: { destination: '/Volumes/main/ops/scripts/b.sh' } },
  ],
};

interface Case {
  name: string;
  definition: Record<string, unknown>;
  spec?: Record<string, unknown>;
  clusterType?: 'all-purpose' | 'job';
  /** The attributes that break a rule, with the rule's type; empty: the spec is allowed. */
  broken: [string, string][];
}

// Compute policy reference (learn.microsoft.com/azure/databricks/admin/clusters/policy-definition), rule by rule.
const CASES: Case[] = [
  {
    name: 'fixed: the same value',
    definition: { node_type_id: { type: 'fixed', value: 'Standard_DS3_v2' } },
    broken: [],
  },
  {
    name: 'fixed: another value',
    definition: { num_workers: { type: 'fixed', value: 4 } },
    broken: [['num_workers', 'fixed']],
  },
  {
    name: 'fixed: left out, the policy sets it',
    definition: { runtime_engine: { type: 'fixed', value: 'PHOTON' } },
    broken: [],
  },
  {
    name: 'fixed: booleans and numbers compare as strings',
    definition: { 'spark_conf.spark.databricks.delta.preview.enabled': { type: 'fixed', value: true } },
    broken: [],
  },
  {
    name: 'forbidden: set',
    definition: { spark_conf: { type: 'forbidden' } },
    broken: [['spark_conf', 'forbidden']],
  },
  {
    name: 'forbidden: absent',
    definition: { instance_pool_id: { type: 'forbidden', hidden: true } },
    broken: [],
  },
  {
    name: 'allowlist: outside',
    definition: { node_type_id: { type: 'allowlist', values: ['Standard_DS4_v2'] } },
    broken: [['node_type_id', 'allowlist']],
  },
  {
    name: 'blocklist: inside',
    definition: { spark_version: { type: 'blocklist', values: ['15.4.x-scala2.12'] } },
    broken: [['spark_version', 'blocklist']],
  },
  {
    name: 'range: above maxValue',
    definition: { num_workers: { type: 'range', maxValue: 1 } },
    broken: [['num_workers', 'range']],
  },
  {
    name: 'range: below minValue',
    definition: { autotermination_minutes: { type: 'range', minValue: 60 } },
    broken: [['autotermination_minutes', 'range']],
  },
  {
    name: 'range: within',
    definition: { num_workers: { type: 'range', minValue: 1, maxValue: 4 } },
    broken: [],
  },
  {
    name: 'regex: anchored at both ends',
    definition: { spark_version: { type: 'regex', pattern: '15\\.4' } },
    broken: [['spark_version', 'regex']],
  },
  {
    name: 'regex: matches',
    definition: { spark_version: { type: 'regex', pattern: '15\\.4\\.x-.*' } },
    broken: [],
  },
  {
    name: 'a limiting rule makes the attribute required',
    definition: { driver_node_type_id: { type: 'unlimited' } },
    broken: [['driver_node_type_id', 'unlimited']],
  },
  {
    name: 'isOptional lets it be left out',
    definition: { driver_node_type_id: { type: 'unlimited', isOptional: true } },
    broken: [],
  },
  {
    name: 'defaultValue fills it only with apply_policy_default_values',
    definition: { driver_node_type_id: { type: 'unlimited', defaultValue: 'Standard_DS3_v2' } },
    broken: [['driver_node_type_id', 'unlimited']],
  },
  {
    name: 'defaultValue with apply_policy_default_values',
    definition: { driver_node_type_id: { type: 'unlimited', defaultValue: 'Standard_DS3_v2' } },
    spec: { ...SPEC, apply_policy_default_values: true },
    broken: [],
  },
  {
    name: 'custom_tags.<tag>',
    definition: { 'custom_tags.project': { type: 'fixed', value: 'other' } },
    broken: [['custom_tags.project', 'fixed']],
  },
  {
    name: 'spark_conf.<key with dots>: required when spark_conf is set',
    definition: { 'spark_conf.spark.sql.shuffle.partitions': { type: 'unlimited' } },
    broken: [['spark_conf.spark.sql.shuffle.partitions', 'unlimited']],
  },
  {
    name: 'autoscale.max_workers is not asked of a fixed-size cluster',
    definition: { 'autoscale.max_workers': { type: 'range', maxValue: 4 } },
    broken: [],
  },
  {
    name: 'autoscale.max_workers above its range',
    definition: { 'autoscale.max_workers': { type: 'range', maxValue: 4 } },
    spec: { ...SPEC, num_workers: undefined, autoscale: { min_workers: 1, max_workers: 8 } },
    broken: [['autoscale.max_workers', 'range']],
  },
  {
    name: 'init_scripts.*: every element',
    definition: { 'init_scripts.*.workspace.destination': { type: 'regex', pattern: '/Shared/other/.*' } },
    broken: [['init_scripts.*.workspace.destination', 'regex']],
  },
  {
    name: 'an indexed rule wins over the wildcard for its element',
    definition: {
      'init_scripts.*.workspace.destination': { type: 'forbidden' },
      'init_scripts.0.workspace.destination': { type: 'fixed', value: '/Shared/proj/init.sh' },
    },
    broken: [],
  },
  {
    name: 'cluster_type: a job cluster under an all-purpose policy',
    definition: { cluster_type: { type: 'fixed', value: 'all-purpose' } },
    clusterType: 'job',
    broken: [['cluster_type', 'fixed']],
  },
  {
    name: 'dbus_per_hour is left to the service',
    definition: { dbus_per_hour: { type: 'range', maxValue: 1 } },
    broken: [],
  },
];

describe('checkClusterPolicy', () => {
  it.each(CASES)('$name', ({ definition, spec, clusterType, broken }) => {
    const violations = checkClusterPolicy(spec ?? SPEC, definition, clusterType ?? 'all-purpose');
    expect(violations.map((v) => [v.attribute, v.rule])).toEqual(broken);
    expect(checkPolicyDefinition(definition)).toEqual([]);
  });

  it('says what the value is and what the rule allows, at the JSON path of the value', () => {
    const [v] = checkClusterPolicy(
      SPEC,
      { 'custom_tags.project': { type: 'allowlist', values: ['a', 'b'] } },
      'job',
    );
    expect(v?.segments).toEqual(['custom_tags', 'project']);
    expect(v?.problem).toBe('is "sample", but the policy allows only "a", "b"');
  });

  it('refuses definitions the reference does not describe', () => {
    const problems = checkPolicyDefinition({
      a: { type: 'sometimes' },
      b: { type: 'fixed' },
      c: { type: 'allowlist' },
      d: { type: 'regex', pattern: '(' },
      e: { type: 'range' },
      f: 'fixed',
    });
    expect(problems.map((p) => p.attribute)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });
});
