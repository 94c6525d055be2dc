// The plan warns about a runtime or node type the workspace does not offer, end to end: the real CLI, the real
// client, the emulator's clusters/spark-versions and list-node-types over HTTPS. The deploy itself then fails
// with the service's own message (clusters/create refuses it), which the warning announced.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalWorld } from '../sandbox/LocalWorld';
import { runCliCaptured } from '../sandbox/runCliCaptured';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');
const ENV = 'dev';

describe('plan warnings for unoffered runtimes and node types', () => {
  let world: LocalWorld;
  let bundleDir: string;

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: [ENV], auth: 'token' });
    bundleDir = mkdtempSync(join(tmpdir(), 'bricklane-runtimes-'));
    cpSync(ARTIFACTS, bundleDir, { recursive: true });
    // The sample's secrets are copied from a Key Vault, which token mode has not: its plan would warn that they
    // are not copied. These plans are about runtimes and node types only.
    rmSync(join(bundleDir, 'secrets'), { recursive: true });
  });
  afterAll(async () => {
    await world?.stop();
    rmSync(bundleDir, { recursive: true, force: true });
  });

  const plan = async () => {
    const run = await runCliCaptured(world, ['plan', bundleDir, '--env', ENV, '--json']);
    expect(run.code, run.stderr).toBe(0);
    return (JSON.parse(run.stdout) as { plan: { warnings?: string[] } }).plan;
  };

  it('the sample bundle plans without warnings: its runtimes and node types are all offered', async () => {
    world.emulator.resetCounters();
    expect((await plan()).warnings).toBeUndefined();
    const counters = world.emulator.counters(ENV);
    expect(counters.byEndpoint['2.1/clusters/spark-versions']).toBe(1);
    expect(counters.byEndpoint['2.1/clusters/list-node-types']).toBe(1);
  });

  it('a cluster on 99.9.x-scala9 and an unknown node type are warned about in the plan and its text', async () => {
    const file = join(bundleDir, 'clusters', 'odd.json');
    const small = JSON.parse(readFileSync(join(ARTIFACTS, 'clusters', 'small.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(
      file,
      JSON.stringify({
        ...small,
        cluster_name: 'Odd',
        spark_version: '99.9.x-scala9',
        node_type_id: 'Standard_Nope',
        // Small's policy allows neither; the warnings are the workspace's offerings, not the policy's rules.
        policy_name: undefined,
      }),
    );
    try {
      expect((await plan()).warnings).toEqual([
        expect.stringMatching(
          /^clusters\.Odd: spark_version "99\.9\.x-scala9" is not a runtime this workspace offers/,
        ),
        expect.stringMatching(
          /^clusters\.Odd: node_type_id "Standard_Nope" is not a node type this workspace offers/,
        ),
      ]);
      const text = await runCliCaptured(world, ['plan', bundleDir, '--env', ENV]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain('warning: clusters.Odd: spark_version "99.9.x-scala9"');
    } finally {
      rmSync(file);
    }
  });
});
