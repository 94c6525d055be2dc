import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBundle } from '../../../src/sources/loadBundle';

const ROOT = resolve(__dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/bundles');

describe('loadBundle on the sample bundle (artifacts/)', () => {
  it('is valid, with only the deprecation warnings of its seed-style jobs, and has the expected items', async () => {
    const { bundle, diagnostics } = await loadBundle(join(ROOT, 'artifacts'));
    expect(diagnostics.map((d) => [d.severity, d.code, d.file, d.path])).toEqual([
      ['warning', 'JOB_CLUSTER_NAME_IN_ID', 'jobs/daily-report.json', '$.tasks[2].existing_cluster_id'],
      ['warning', 'JOB_SINGLE_TASK_FORM', 'jobs/nightly-etl.json', '$'],
    ]);
    expect(bundle?.root).toBe(join(ROOT, 'artifacts'));
    expect(bundle?.options).toEqual({
      notebookRoot: '/Shared/MyProject',
      keepNotebookExtensions: false,
      initScriptTarget: 'workspace',
      initScriptRoot: '/Shared/MyProject/init-scripts',
      clusterLifecycle: 'terminate',
      prune: false,
      permissions: [{ group_name: 'data-analysts', permission_level: 'CAN_READ' }],
      authoritativePermissions: false,
      checks: [{ job: 'smoke_test', timeoutMinutes: 20 }],
    });
    expect({
      initScripts: bundle?.initScripts.length,
      clusters: bundle?.clusters.length,
      notebooks: bundle?.notebooks.length,
      files: bundle?.files.length,
      jobs: bundle?.jobs.length,
      policies: bundle?.policies.length,
      permissions: bundle?.permissions.length,
    }).toEqual({ initScripts: 1, clusters: 3, notebooks: 7, files: 1, jobs: 4, policies: 1, permissions: 3 });
    expect(bundle?.permissions.map((p) => p.key)).toEqual([
      'permissions.directories./Shared/MyProject',
      'permissions.jobs.daily_report',
      'permissions.policies.bricklane-sample small clusters',
    ]);
    expect(bundle?.clusters.find((c) => c.name === 'Small')?.policyRefs).toEqual([
      'bricklane-sample small clusters',
    ]);
    expect(bundle?.clusters.map((c) => c.key)).toEqual(['clusters.ML', 'clusters.Medium', 'clusters.Small']);
    expect(bundle?.jobs.map((j) => j.key)).toEqual([
      'jobs.daily_report',
      'jobs.nightly_etl',
      'jobs.serverless_ingest',
      'jobs.smoke_test',
    ]);
    expect(bundle?.notebooks.map((n) => [n.target, n.format, n.language ?? null])).toEqual([
      ['/Shared/MyProject/analysis/explore', 'JUPYTER', null],
      ['/Shared/MyProject/analysis/summary', 'SOURCE', 'R'],
      ['/Shared/MyProject/checks/smoke', 'SOURCE', 'PYTHON'],
      ['/Shared/MyProject/etl/ingest', 'SOURCE', 'PYTHON'],
      ['/Shared/MyProject/etl/transform', 'SOURCE', 'SQL'],
      ['/Shared/MyProject/reports/daily', 'SOURCE', 'SCALA'],
      ['/Shared/MyProject/shared/utils', 'SOURCE', 'PYTHON'],
    ]);
    expect(bundle?.files.map((f) => f.target)).toEqual(['/Shared/MyProject/config/settings.yml']);
  });

  it('resolves the references of the sample jobs and clusters', async () => {
    const { bundle } = await loadBundle(join(ROOT, 'artifacts'));
    const ml = bundle?.clusters.find((c) => c.name === 'ML');
    expect(ml?.spec['init_scripts']).toEqual([
      { workspace: { destination: '/Shared/MyProject/init-scripts/install-libs.sh' } },
    ]);
    const nightly = bundle?.jobs.find((j) => j.name === 'nightly_etl');
    expect(nightly?.clusterRefs).toEqual(['Small']);
    expect(nightly?.settings['tasks']).toEqual([
      expect.objectContaining({
        task_key: 'nightly_etl',
        existing_cluster_name: 'Small',
        notebook_task: expect.objectContaining({ notebook_path: '/Shared/MyProject/etl/ingest' }),
      }),
    ]);
    const daily = bundle?.jobs.find((j) => j.name === 'daily_report');
    expect(daily?.clusterRefs).toEqual(['ML', 'Medium']);
    expect(daily?.notebookRefs).toHaveLength(4);
  });

  it('is a valid Jupyter notebook in nbformat 4', async () => {
    const { readFile } = await import('node:fs/promises');
    const notebook = JSON.parse(
      await readFile(join(ROOT, 'artifacts/notebooks/analysis/explore.ipynb'), 'utf8'),
    ) as {
      nbformat: number;
      cells: { cell_type: string; source: string[] }[];
    };
    expect(notebook.nbformat).toBe(4);
    expect(notebook.cells.map((c) => c.cell_type)).toEqual(['markdown', 'code', 'code']);
  });
});

describe('loadBundle on fixtures', () => {
  it('reports every problem of an invalid bundle at once', async () => {
    const { bundle, diagnostics } = await loadBundle(join(FIXTURES, 'many-errors'));
    expect(bundle).toBeUndefined();
    const codes = diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
    expect(new Set(codes)).toEqual(
      new Set([
        'OPTIONS_OPERATOR_KEY',
        'OPTIONS_INVALID',
        'JSON_MALFORMED',
        'CLUSTER_NAME_DUPLICATE',
        'CLUSTER_ID_FORBIDDEN',
        'INIT_SCRIPT_NOT_FOUND',
        'TARGET_PATH_COLLISION',
        'JOB_UNKNOWN_CLUSTER',
        'JOB_UNKNOWN_NOTEBOOK',
        'JOB_NAME_DUPLICATE',
        'JOB_UNKNOWN_DEPENDENCY',
      ]),
    );
    expect(diagnostics.find((d) => d.code === 'JSON_MALFORMED')).toMatchObject({
      file: 'clusters/broken.json',
      line: 4,
      column: 3,
    });
    for (const d of diagnostics) expect(d.summary.length).toBeGreaterThan(20);
  });

  it("loads a seed-style bundle, pointing the seed's dbfs init scripts at the deployed ones, warning about pipeline folders", async () => {
    const { bundle, diagnostics } = await loadBundle(join(FIXTURES, 'seed-style'));
    expect(diagnostics.map((d) => [d.severity, d.code, d.file])).toEqual([
      ['warning', 'BUNDLE_ENTRY_IGNORED', 'azure-pipelines.yml'],
      ['warning', 'INIT_SCRIPT_DBFS_REWRITTEN', 'clusters/small.json'],
      ['warning', 'JOB_SINGLE_TASK_FORM', 'jobs/job.json'],
      ['warning', 'BUNDLE_ENTRY_IGNORED', 'pipeline-scripts'],
    ]);
    expect(bundle?.initScripts.map((s) => s.target)).toEqual([
      '/Shared/MyProject/init-scripts/cluster-init.sh',
    ]);
    expect(bundle?.clusters[0]?.spec['init_scripts']).toEqual([
      { workspace: { destination: '/Shared/MyProject/init-scripts/cluster-init.sh' } },
    ]);
    expect(bundle?.jobs[0]?.settings).toEqual({
      name: 'MyProject Job',
      max_concurrent_runs: 1,
      tasks: [
        {
          task_key: 'MyProject_Job',
          existing_cluster_name: 'Small',
          notebook_task: { notebook_path: '/Shared/MyProject/MyProject/hello' },
          timeout_seconds: 600,
          max_retries: 1,
        },
      ],
    });
  });
});

describe('loadBundle on the file system', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bricklane-bundle-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const put = async (path: string, content: string | Buffer): Promise<void> => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  };

  it('hashes files by streaming, with sizes and sha256 of the bytes on disk', async () => {
    const content = Buffer.from('# Databricks notebook source\nprint("é")\n');
    await put('notebooks/a.py', content);
    const { bundle } = await loadBundle(dir);
    expect(bundle?.notebooks[0]).toMatchObject({
      source: 'notebooks/a.py',
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
  });

  it('rejects a notebook whose base64 is over the 10 MB import limit and accepts one at the limit', async () => {
    await put('notebooks/at-limit.py', Buffer.alloc(7_500_000, 0x61));
    await put('notebooks/over-limit.py', Buffer.alloc(7_500_001, 0x61));
    const { bundle, diagnostics } = await loadBundle(dir);
    expect(bundle).toBeUndefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'MAX_NOTEBOOK_SIZE_EXCEEDED',
        file: 'notebooks/over-limit.py',
      }),
    ]);
  });

  it('reports links (to files and folders) and special files, and never follows them', async () => {
    await put('notebooks/real.py', '# Databricks notebook source\n');
    await put('outside/secret.txt', 'secret');
    await symlink(join(dir, 'notebooks/real.py'), join(dir, 'notebooks/link.py'));
    await symlink(join(dir, 'outside'), join(dir, 'notebooks/linked-folder'));
    const fifo = process.platform !== 'win32' && hasMkfifo();
    if (fifo) {
      await mkdir(join(dir, 'init-scripts'));
      execFileSync('mkfifo', [join(dir, 'init-scripts/pipe.sh')]);
    }
    const { bundle, diagnostics } = await loadBundle(dir);
    expect(bundle).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.file]);
    expect(errors).toEqual(
      expect.arrayContaining([
        ['BUNDLE_SYMLINK', 'notebooks/link.py'],
        ['BUNDLE_SYMLINK', 'notebooks/linked-folder'],
        ...(fifo ? [['BUNDLE_SPECIAL_FILE', 'init-scripts/pipe.sh']] : []),
      ]),
    );
    expect(diagnostics.some((d) => d.file.includes('secret'))).toBe(false);
  });

  it('does not walk hidden or unknown top-level folders, and warns once per unknown folder', async () => {
    await put('notebooks/a.py', '# Databricks notebook source\n');
    await put('.git/objects/aa/bb', 'blob');
    await put('images/a.png', 'png');
    await put('images/b.png', 'png');
    await put('notebooks/.ipynb_checkpoints/a-checkpoint.ipynb', 'not json');
    await put('README.md', '# readme');
    const { bundle, diagnostics } = await loadBundle(dir);
    expect(diagnostics.map((d) => [d.severity, d.code, d.file])).toEqual([
      ['warning', 'BUNDLE_ENTRY_IGNORED', 'images'],
    ]);
    expect(bundle?.notebooks.map((n) => n.source)).toEqual(['notebooks/a.py']);
  });

  it('reports malformed JSON with line and column', async () => {
    await put('jobs/a.json', '{\n  "name": "a",\n  "tasks": [\n    { "task_key": "x" },\n  ]\n}\n');
    const { diagnostics } = await loadBundle(dir);
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: 'JSON_MALFORMED', file: 'jobs/a.json', line: 5, column: 3 }),
    ]);
    expect(diagnostics[0]?.summary).toContain('jobs/a.json:5:3');
  });

  it('checks a Jupyter notebook on disk', async () => {
    await put(
      'notebooks/good.ipynb',
      JSON.stringify({
        cells: [{ cell_type: 'code', source: ['x'] }],
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {},
      }),
    );
    await put('notebooks/bad.ipynb', JSON.stringify({ nbformat: 3, worksheets: [] }));
    const { diagnostics } = await loadBundle(dir);
    expect(diagnostics.map((d) => [d.code, d.file])).toEqual([['JUPYTER_INVALID', 'notebooks/bad.ipynb']]);
  });

  it('reports a missing folder instead of throwing', async () => {
    const { bundle, diagnostics } = await loadBundle(join(dir, 'nope'));
    expect(bundle).toBeUndefined();
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'BUNDLE_NOT_FOUND' })]);
  });

  it('rejects a folder that holds files but none of the bundle folders (a folder one level too deep)', async () => {
    await put('medium.json', '{}');
    await put('small.json', '{}');
    await put('.git/HEAD', 'ref');
    const { bundle, diagnostics } = await loadBundle(dir);
    expect(bundle).toBeUndefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', code: 'BUNDLE_LAYOUT_MISSING', file: '.' }),
    ]);
    expect(diagnostics[0]?.summary).toContain(
      'holds no bundle: none of init-scripts/, clusters/, notebooks/, jobs/, secrets/, policies/, bricklane.json',
    );
    expect(diagnostics[0]?.summary).toContain('(it holds medium.json, small.json)');
  });

  it('accepts a folder whose only bundle entry is an empty bundle folder', async () => {
    await mkdir(join(dir, 'clusters'));
    await put('README.md', '# readme');
    const { bundle, diagnostics } = await loadBundle(dir);
    expect(diagnostics).toEqual([]);
    expect(bundle?.clusters).toEqual([]);
  });

  it('loads an empty folder as an empty bundle with default options', async () => {
    const { bundle, diagnostics } = await loadBundle(dir);
    expect(diagnostics).toEqual([]);
    expect(bundle).toMatchObject({ initScripts: [], clusters: [], notebooks: [], files: [], jobs: [] });
    expect(bundle?.options.notebookRoot).toBe('/Shared/MyProject');
  });
});

function hasMkfifo(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v mkfifo'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
