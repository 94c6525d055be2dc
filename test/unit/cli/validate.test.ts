// Reads artifacts/ from disk: `bricklane validate` of folders that are and are not bundles (in-process, no world).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/runCli';
import { SAMPLE_PERMISSIONS } from '../../sandbox/LocalWorld';

const REPO = resolve(__dirname, '../../..');

async function validate(
  dir: string,
  settings: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['validate', dir], {
    env: { BRICKLANE_ENVIRONMENTS: 'dev', ...settings },
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: REPO,
  });
  return { code, stdout, stderr };
}

describe('bricklane validate', () => {
  it('refuses a folder that holds none of the bundle folders (artifacts/clusters), exit 1, one line', async () => {
    const run = await validate('artifacts/clusters');
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^ {2}error: \.: .*artifacts\/clusters holds no bundle: none of init-scripts\//);
  });

  // The sample grants permissions (a job, its policy, the notebook folder): the operator allows them first.
  it('accepts the sample bundle (artifacts), exit 0', async () => {
    const run = await validate('artifacts', { BRICKLANE_PERMISSIONS: SAMPLE_PERMISSIONS });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it("refuses the sample's grants where the operator allows none, naming each and the setting to change", async () => {
    const run = await validate('artifacts');
    expect(run.code).toBe(1);
    const crossings = run.stdout.split('\n').filter((line) => line.includes('BRICKLANE_DEV_PERMISSIONS'));
    expect(crossings.map((line) => /^ {2}error: (\S+ \S+):/.exec(line)?.[1])).toEqual([
      'bricklane.json $.permissions[0]',
      'jobs/daily-report.json $.permissions[0]',
      'jobs/daily-report.json $.permissions[1]',
      'policies/small-clusters.json $.permissions[0]',
      // The secret scope's ACL entry is allowed by the same setting (checkSecretAcls.ts).
      'secrets/etl.json $.acls[0]',
    ]);
  });
});
