// Test infrastructure: the emulator's cluster policy rules over HTTPS (RULES.md), and the check clusters/create
// and clusters/edit make against a cluster's policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './callApi';
import { DatabricksEmulator } from './DatabricksEmulator';

let emulator: DatabricksEmulator;
let url: string;

const definition = {
  num_workers: { type: 'range', maxValue: 4 },
  node_type_id: { type: 'allowlist', values: ['Standard_DS3_v2'] },
  'custom_tags.team': { type: 'fixed', value: 'data' },
  instance_pool_id: { type: 'forbidden' },
  spark_version: { type: 'regex', pattern: '15\\.4\\.x-.*' },
  autotermination_minutes: { type: 'unlimited', defaultValue: 30 },
};
const cluster = {
  cluster_name: 'Small',
  spark_version: '15.4.x-scala2.12',
  node_type_id: 'Standard_DS3_v2',
  num_workers: 2,
  autotermination_minutes: 20,
};

beforeAll(async () => {
  emulator = await DatabricksEmulator.start({ rateLimits: false });
  await emulator.addWorkspace('dev');
  url = emulator.workspaceUrl('dev');
});
afterAll(() => emulator.stop());

describe('cluster policies', () => {
  it('refuses a second policy of the same name, a name over 100 characters and a definition that is not a JSON object string', async () => {
    const first = await callApi(url, 'POST', '2.0/policies/clusters/create', {
      name: 'small',
      definition: JSON.stringify(definition),
    });
    expect(first.status).toBe(200);
    expect(first.body['policy_id']).toMatch(/^[0-9A-F]{16}$/);
    for (const body of [
      { name: 'small', definition: '{}' },
      { name: 'x'.repeat(101), definition: '{}' },
      { name: 'other', definition: '[1]' },
      { name: 'other', definition: { a: 1 } },
    ]) {
      const refused = await callApi(url, 'POST', '2.0/policies/clusters/create', body);
      expect([refused.status, refused.body['error_code']]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    }
    const listed = await callApi(url, 'GET', '2.0/policies/clusters/list');
    expect((listed.body['policies'] as { name: string }[]).map((p) => p.name)).toEqual(['small']);
  });

  it('refuses a cluster that breaks its policy, one "Validation failed for" reason per rule', async () => {
    const policyId = emulator.workspace('dev').policies.list()[0]?.['policy_id'] as string;
    const refused = await callApi(url, 'POST', '2.1/clusters/create', {
      ...cluster,
      policy_id: policyId,
      num_workers: 8,
      node_type_id: 'Standard_DS4_v2',
      custom_tags: { team: 'ops' },
      instance_pool_id: 'pool-1',
      spark_version: '14.3.x-scala2.12',
      autotermination_minutes: null,
    });
    expect(refused.status).toBe(400);
    expect(refused.body['error_code']).toBe('INVALID_PARAMETER_VALUE');
    expect(String(refused.body['message']).split('; ')).toEqual([
      'Validation failed for num_workers, the value must be at most 4 (is "8")',
      'Validation failed for node_type_id, the value must be one of [Standard_DS3_v2] (is "Standard_DS4_v2")',
      'Validation failed for custom_tags.team, the value must be data (is "ops")',
      'Validation failed for instance_pool_id, the value cannot be present',
      'Validation failed for spark_version, the value must match the regex 15\\.4\\.x-.* (is "14.3.x-scala2.12")',
      'Validation failed for autotermination_minutes, the value must be present',
    ]);
    const filled = await callApi(url, 'POST', '2.1/clusters/create', {
      ...cluster,
      policy_id: policyId,
      autotermination_minutes: null,
      apply_policy_default_values: true,
    });
    expect(filled.status).toBe(200);
    const edited = await callApi(url, 'POST', '2.1/clusters/edit', {
      ...cluster,
      cluster_id: filled.body['cluster_id'] ?? '',
      policy_id: policyId,
      num_workers: 5,
    });
    expect([edited.status, edited.body['message']]).toEqual([
      400,
      'Validation failed for num_workers, the value must be at most 4 (is "5")',
    ]);
  });

  it('refuses a cluster naming a policy that does not exist', async () => {
    const refused = await callApi(url, 'POST', '2.1/clusters/create', { ...cluster, policy_id: 'NOPE' });
    expect([refused.status, refused.body['error_code']]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  });
});
