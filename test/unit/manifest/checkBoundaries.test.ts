// The operator's boundaries against bundles (issue 10, "Writes outside the bundle's area" and "Jobs carry
// identity and access"): each finding is a row that crosses the default boundaries, next to the same
// bundle inside them. Boundaries come from app settings through the real loader.
import { describe, expect, it } from 'vitest';
import { loadBoundaries } from '../../../src/config/loadSettings';
import type { BundleEntry, Diagnostic } from '../../../src/manifest/Bundle';
import { checkBoundaries, holdToBoundaries } from '../../../src/manifest/checkBoundaries';
import { isInsideRoot } from '../../../src/manifest/Boundaries';
import { baseEntries, json, SMALL_CLUSTER, validate } from './bundleEntries';

const JOB = {
  name: 'evil_job',
  existing_cluster_name: 'Small',
  notebook_task: { notebook_path: 'etl/ingest' },
};

/** The bundle's diagnostics against the boundaries these settings give (dev only unless set). */
function crossings(entries: BundleEntry[], settings: Record<string, string> = {}): Diagnostic[] {
  const loaded = validate(entries);
  if (!loaded.bundle) throw new Error(JSON.stringify(loaded.diagnostics));
  return checkBoundaries(loaded.bundle, loadBoundaries(settings).environments);
}
const job = (extra: object): BundleEntry => json('jobs/evil.json', { ...JOB, ...extra });
const cluster = (extra: object): BundleEntry =>
  json('clusters/evil.json', { ...SMALL_CLUSTER, cluster_name: 'Evil', ...extra });
const options = (value: object): BundleEntry => json('bricklane.json', value);

describe('bundles that cross the default boundaries (each finding of issue 10)', () => {
  it.each<[string, BundleEntry[], string, string, string]>([
    [
      "notebookRoot in a user's home",
      [options({ notebookRoot: '/Users/victim@contoso.com' })],
      'BOUNDARY_WORKSPACE_ROOT',
      'bricklane.json',
      '$.notebookRoot',
    ],
    [
      'notebookRoot next to the project folder',
      [options({ notebookRoot: '/Shared/MyProject-evil' })],
      'BOUNDARY_WORKSPACE_ROOT',
      'bricklane.json',
      '$.notebookRoot',
    ],
    [
      'notebookRoot above the project folder',
      [options({ notebookRoot: '/Shared' })],
      'BOUNDARY_WORKSPACE_ROOT',
      'bricklane.json',
      '$.notebookRoot',
    ],
    [
      'initScriptRoot where global init scripts lived',
      [options({ initScriptTarget: 'dbfs', initScriptRoot: 'dbfs:/databricks/init' })],
      'BOUNDARY_DBFS_INIT_SCRIPTS',
      'bricklane.json',
      '$.initScriptTarget',
    ],
    [
      'workspace initScriptRoot outside the roots',
      [options({ initScriptRoot: '/Shared/other/init' })],
      'BOUNDARY_INIT_SCRIPT_ROOT',
      'bricklane.json',
      '$.initScriptRoot',
    ],
    [
      'run_as any user',
      [job({ run_as: { user_name: 'ceo@contoso.com' } })],
      'BOUNDARY_RUN_AS',
      'jobs/evil.json',
      '$.run_as.user_name',
    ],
    [
      'run_as a service principal',
      [job({ run_as: { service_principal_name: '9f0c1b2a-0000-4000-8000-000000000001' } })],
      'BOUNDARY_RUN_AS',
      'jobs/evil.json',
      '$.run_as.service_principal_name',
    ],
    [
      "the 2.0 form's run_as_user_name",
      [job({ run_as_user_name: 'ceo@contoso.com' })],
      'BOUNDARY_RUN_AS',
      'jobs/evil.json',
      '$.run_as_user_name',
    ],
    [
      'IS_OWNER to an outside identity',
      [job({ access_control_list: [{ user_name: 'mallory@evil.example', permission_level: 'IS_OWNER' }] })],
      'BOUNDARY_IS_OWNER',
      'jobs/evil.json',
      '$.access_control_list[0]',
    ],
    [
      'CAN_MANAGE to a group on a job',
      [job({ access_control_list: [{ group_name: 'users', permission_level: 'CAN_MANAGE' }] })],
      'BOUNDARY_PERMISSION',
      'jobs/evil.json',
      '$.access_control_list[0]',
    ],
    [
      'CAN_MANAGE on a cluster',
      [cluster({ access_control_list: [{ group_name: 'users', permission_level: 'CAN_MANAGE' }] })],
      'BOUNDARY_PERMISSION',
      'clusters/evil.json',
      '$.access_control_list[0]',
    ],
    [
      'an ACL entry naming two principals',
      [
        job({
          access_control_list: [
            { user_name: 'a@contoso.com', group_name: 'g', permission_level: 'CAN_VIEW' },
          ],
        }),
      ],
      'BOUNDARY_PERMISSION',
      'jobs/evil.json',
      '$.access_control_list[0]',
    ],
    [
      'git_source any repository',
      [
        job({
          git_source: {
            git_url: 'https://github.com/evil/payload',
            git_provider: 'gitHub',
            git_commit: 'a'.repeat(40),
          },
        }),
      ],
      'BOUNDARY_GIT_SOURCE',
      'jobs/evil.json',
      '$.git_source.git_url',
    ],
    [
      'a cluster init script from any DBFS path',
      [cluster({ init_scripts: [{ dbfs: { destination: 'dbfs:/databricks/init/evil.sh' } }] })],
      'BOUNDARY_INIT_SCRIPT',
      'clusters/evil.json',
      '$.init_scripts[0].dbfs.destination',
    ],
    [
      "the seed's dbfs folder without the script in the bundle",
      [cluster({ init_scripts: [{ dbfs: { destination: 'dbfs:/init-scripts/other.sh' } }] })],
      'BOUNDARY_INIT_SCRIPT',
      'clusters/evil.json',
      '$.init_scripts[0].dbfs.destination',
    ],
    [
      'a 2.0 job cluster init script from DBFS',
      [
        job({
          existing_cluster_name: undefined,
          new_cluster: { ...SMALL_CLUSTER, init_scripts: [{ dbfs: { destination: 'dbfs:/x/evil.sh' } }] },
        }),
      ],
      'BOUNDARY_INIT_SCRIPT',
      'jobs/evil.json',
      '$.new_cluster.init_scripts[0].dbfs.destination',
    ],
    [
      'a 2.1 job cluster init script from abfss',
      [
        job({
          existing_cluster_name: undefined,
          notebook_task: undefined,
          job_clusters: [
            {
              job_cluster_key: 'c',
              new_cluster: {
                ...SMALL_CLUSTER,
                init_scripts: [{ abfss: { destination: 'abfss://c@evil.dfs.core.windows.net/x.sh' } }],
              },
            },
          ],
          tasks: [{ task_key: 't', job_cluster_key: 'c', notebook_task: { notebook_path: 'etl/ingest' } }],
        }),
      ],
      'BOUNDARY_INIT_SCRIPT',
      'jobs/evil.json',
      '$.job_clusters[0].new_cluster.init_scripts[0].abfss.destination',
    ],
    [
      'an init script from a volume nobody allowed',
      [cluster({ init_scripts: [{ volumes: { destination: '/Volumes/main/ops/scripts/x.sh' } }] })],
      'BOUNDARY_INIT_SCRIPT',
      'clusters/evil.json',
      '$.init_scripts[0].volumes.destination',
    ],
    [
      'a workspace init script outside the roots',
      [cluster({ init_scripts: [{ workspace: { destination: '/Users/victim@contoso.com/x.sh' } }] })],
      'BOUNDARY_INIT_SCRIPT',
      'clusters/evil.json',
      '$.init_scripts[0].workspace.destination',
    ],
  ])('%s', (_name, extra, code, file, path) => {
    const found = crossings([...baseEntries(), ...extra]);
    expect(found.map((d) => [d.code, d.file, d.path])).toEqual([[code, file, path]]);
    expect(found[0]?.severity).toBe('error');
    expect(found[0]?.summary).toMatch(/in dev|IS_OWNER|exactly one/);
  });
});

describe('bundles inside boundaries the operator set', () => {
  const SETTINGS = {
    BRICKLANE_DEV_WORKSPACE_ROOTS: '/Shared/MyProject,/Shared/Reports/',
    BRICKLANE_DEV_VOLUME_ROOTS: '/Volumes/main/ops/scripts',
    BRICKLANE_DEV_DBFS_INIT_SCRIPT_ROOTS: 'dbfs:/init-scripts/MyProject',
    BRICKLANE_DEV_RUN_AS: 'etl-runner@contoso.com',
    BRICKLANE_DEV_PERMISSIONS: 'group:data-engineers=CAN_MANAGE_RUN,user:Alice@contoso.com=CAN_VIEW',
    BRICKLANE_DEV_GIT_SOURCES: 'https://github.com/contoso/etl.git',
  };
  it.each<[string, BundleEntry[]]>([
    ['the default deployment folder', []],
    ['a sub-folder of an allowed root', [options({ notebookRoot: '/Shared/MyProject/etl' })]],
    ['a second allowed root', [options({ notebookRoot: '/Shared/Reports' })]],
    ['DBFS init scripts in the allowed project folder', [options({ initScriptTarget: 'dbfs' })]],
    [
      'an init script from an allowed volume',
      [cluster({ init_scripts: [{ volumes: { destination: '/Volumes/main/ops/scripts/x.sh' } }] })],
    ],
    ['an allowed run_as (any case)', [job({ run_as: { user_name: 'ETL-Runner@contoso.com' } })]],
    [
      'allowed grants',
      [
        job({
          access_control_list: [
            { group_name: 'data-engineers', permission_level: 'CAN_MANAGE_RUN' },
            { user_name: 'alice@contoso.com', permission_level: 'CAN_VIEW' },
          ],
        }),
      ],
    ],
    [
      'an allowed repository pinned to a commit',
      [
        job({
          git_source: {
            git_url: 'https://github.com/Contoso/etl',
            git_provider: 'gitHub',
            git_commit: '0123abc',
          },
        }),
      ],
    ],
  ])('%s: no crossing', (_name, extra) => {
    expect(crossings([...baseEntries(), ...extra], SETTINGS)).toEqual([]);
  });

  it.each<[string, BundleEntry[], string[]]>([
    [
      'a grant at a level the operator did not allow',
      [job({ access_control_list: [{ user_name: 'alice@contoso.com', permission_level: 'CAN_MANAGE' }] })],
      ['BOUNDARY_PERMISSION'],
    ],
    [
      'IS_OWNER even to an allowed principal',
      [job({ access_control_list: [{ group_name: 'data-engineers', permission_level: 'IS_OWNER' }] })],
      ['BOUNDARY_IS_OWNER'],
    ],
    [
      'an allowed repository on a branch',
      [job({ git_source: { git_url: 'https://github.com/contoso/etl', git_branch: 'main' } })],
      ['BOUNDARY_GIT_SOURCE_UNPINNED', 'BOUNDARY_GIT_SOURCE_UNPINNED'],
    ],
    [
      'an allowed repository with a tag and a commit',
      [
        job({
          git_source: { git_url: 'https://github.com/contoso/etl', git_tag: 'v1', git_commit: 'abcdef0' },
        }),
      ],
      ['BOUNDARY_GIT_SOURCE_UNPINNED'],
    ],
    [
      'DBFS outside the allowed DBFS folder',
      [options({ initScriptTarget: 'dbfs', initScriptRoot: 'dbfs:/init-scripts' })],
      ['BOUNDARY_INIT_SCRIPT_ROOT'],
    ],
    [
      'a volume next to the allowed one',
      [cluster({ init_scripts: [{ volumes: { destination: '/Volumes/main/ops/scripts-evil/x.sh' } }] })],
      ['BOUNDARY_INIT_SCRIPT'],
    ],
  ])('%s: refused', (_name, extra, codes) => {
    expect(crossings([...baseEntries(), ...extra], SETTINGS).map((d) => d.code)).toEqual(codes);
  });
});

describe('every crossing at once', () => {
  const evil = [
    ...baseEntries(),
    options({ notebookRoot: '/Users/victim@contoso.com' }),
    job({
      run_as: { user_name: 'ceo@contoso.com' },
      access_control_list: [{ user_name: 'mallory@evil.example', permission_level: 'IS_OWNER' }],
      git_source: { git_url: 'https://github.com/evil/payload', git_branch: 'main' },
    }),
    cluster({ init_scripts: [{ dbfs: { destination: 'dbfs:/databricks/init/evil.sh' } }] }),
  ];

  it('reports them all, and holdToBoundaries turns the bundle invalid', () => {
    const loaded = validate(evil);
    expect(loaded.bundle).toBeDefined();
    const held = holdToBoundaries(loaded, loadBoundaries({}).environments);
    expect(held.bundle).toBeUndefined();
    expect(held.diagnostics.map((d) => d.code)).toEqual([
      'BOUNDARY_WORKSPACE_ROOT',
      'BOUNDARY_INIT_SCRIPT',
      'BOUNDARY_RUN_AS',
      'BOUNDARY_IS_OWNER',
      'BOUNDARY_GIT_SOURCE',
      'BOUNDARY_GIT_SOURCE_UNPINNED',
      'BOUNDARY_GIT_SOURCE_UNPINNED',
      // A warning, not a crossing: the evil job is in the 2.0 single-task form.
      'JOB_SINGLE_TASK_FORM',
    ]);
  });

  it('names every environment with the same boundaries once, and each other one apart', () => {
    const same = crossings([...baseEntries(), options({ notebookRoot: '/Users/victim@contoso.com' })], {
      BRICKLANE_ENVIRONMENTS: 'dev,qa,prod',
    });
    expect(same).toHaveLength(1);
    expect(same[0]?.summary).toContain('allowed in dev, qa and prod (/Shared/MyProject)');
    expect(same[0]?.summary).toContain('BRICKLANE_WORKSPACE_ROOTS (or BRICKLANE_<ENV>_WORKSPACE_ROOTS)');
    const apart = crossings([...baseEntries(), job({ run_as: { user_name: 'etl@contoso.com' } })], {
      BRICKLANE_ENVIRONMENTS: 'dev,qa,prod',
      BRICKLANE_DEV_RUN_AS: 'etl@contoso.com',
    });
    expect(apart.map((d) => d.summary.match(/allowed in ([a-z, ]+?) \(/)?.[1])).toEqual(['qa and prod']);
  });

  it('leaves a bundle that crosses nothing as it was', () => {
    const loaded = validate(baseEntries());
    expect(holdToBoundaries(loaded, loadBoundaries({}).environments)).toBe(loaded);
  });
});

describe('isInsideRoot', () => {
  it.each<[string, string, boolean]>([
    ['/Shared/proj', '/Shared/proj', true],
    ['/Shared/proj/a/b', '/Shared/proj', true],
    ['/Shared/proj-evil', '/Shared/proj', false],
    ['/Shared/proj/../other', '/Shared/proj', false],
    ['/Shared/proj/./a', '/Shared/proj', false],
    ['/Shared//proj', '/Shared', false],
    ['/Shared', '/Shared/proj', false],
    ['dbfs:/init-scripts/proj/x.sh', 'dbfs:/init-scripts/proj', true],
    ['dbfs:/init-scripts/proj/x.sh', '/init-scripts/proj', false],
    ['/init-scripts/proj/x.sh', 'dbfs:/init-scripts/proj', false],
    ['Shared/proj', 'Shared/proj', false],
  ])('%s in %s: %s', (path, root, inside) => {
    expect(isInsideRoot(path, root)).toBe(inside);
  });
});
