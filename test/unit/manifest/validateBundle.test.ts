import { describe, expect, it } from 'vitest';
import type { BundleEntry } from '../../../src/manifest/Bundle';
import { sha256OfJson } from '../../../src/manifest/sha256OfJson';
import { baseEntries, errors, file, json, SMALL_CLUSTER, validate, warnings } from './bundleEntries';

const NOTEBOOK_TASK = { notebook_task: { notebook_path: 'etl/ingest' } };

interface RuleCase {
  name: string;
  entries: BundleEntry[];
  code: string;
  severity?: 'error' | 'warning';
  file?: string;
  path?: string;
  /** Substrings the summary must contain (names of both files, the fix, ...). */
  says?: string[];
}

const RULES: RuleCase[] = [
  {
    name: 'malformed cluster JSON, with line and column',
    entries: [file('clusters/broken.json', '{\n  "cluster_name": "A",\n  "num_workers": 1,,\n}\n')],
    code: 'JSON_MALFORMED',
    file: 'clusters/broken.json',
    says: ['clusters/broken.json:3:20', 'not valid JSON'],
  },
  {
    name: 'malformed job JSON without a V8 position',
    entries: [file('jobs/broken.json', '{"name": x}')],
    code: 'JSON_MALFORMED',
    says: ['jobs/broken.json:1:10'],
  },
  {
    name: 'cluster without spark_version',
    entries: [json('clusters/a.json', { ...SMALL_CLUSTER, spark_version: undefined })],
    code: 'CLUSTER_INVALID',
    path: '$.spark_version',
    says: ['`spark_version` is required', 'clusters/create'],
  },
  {
    name: 'cluster without cluster_name',
    entries: [json('clusters/a.json', { ...SMALL_CLUSTER, cluster_name: undefined })],
    code: 'CLUSTER_INVALID',
    path: '$.cluster_name',
  },
  {
    name: 'cluster with a blank cluster_name',
    entries: [json('clusters/a.json', { ...SMALL_CLUSTER, cluster_name: '  ' })],
    code: 'CLUSTER_INVALID',
    path: '$.cluster_name',
  },
  {
    name: 'cluster without node_type_id or instance pool',
    entries: [json('clusters/a.json', { ...SMALL_CLUSTER, node_type_id: undefined })],
    code: 'CLUSTER_INVALID',
    path: '$.node_type_id',
    says: ['instance_pool_id'],
  },
  {
    name: 'cluster without num_workers or autoscale',
    entries: [json('clusters/a.json', { ...SMALL_CLUSTER, num_workers: undefined })],
    code: 'CLUSTER_INVALID',
    path: '$.num_workers',
    says: ['autoscale'],
  },
  {
    name: 'cluster with both num_workers and autoscale',
    entries: [json('clusters/a.json', { ...SMALL_CLUSTER, autoscale: { min_workers: 1, max_workers: 2 } })],
    code: 'CLUSTER_INVALID',
    path: '$.autoscale',
  },
  {
    name: 'num_workers as a string',
    entries: [json('clusters/a.json', { ...SMALL_CLUSTER, num_workers: '2' })],
    code: 'CLUSTER_INVALID',
    path: '$.num_workers',
    says: ['must be a number, not string'],
  },
  {
    name: 'fractional num_workers',
    entries: [json('clusters/a.json', { ...SMALL_CLUSTER, num_workers: 1.5 })],
    code: 'CLUSTER_INVALID',
    path: '$.num_workers',
    says: ['whole number'],
  },
  {
    name: 'negative num_workers',
    entries: [json('clusters/a.json', { ...SMALL_CLUSTER, num_workers: -1 })],
    code: 'CLUSTER_INVALID',
    path: '$.num_workers',
  },
  {
    name: 'autoscale with max below min',
    entries: [
      json('clusters/a.json', {
        ...SMALL_CLUSTER,
        num_workers: undefined,
        autoscale: { min_workers: 4, max_workers: 2 },
      }),
    ],
    code: 'CLUSTER_INVALID',
    path: '$.autoscale',
    says: ['max_workers >= min_workers'],
  },
  {
    name: 'spark_conf value that is not a string',
    entries: [
      json('clusters/a.json', { ...SMALL_CLUSTER, spark_conf: { 'spark.sql.shuffle.partitions': 64 } }),
    ],
    code: 'CLUSTER_INVALID',
    path: '$.spark_conf["spark.sql.shuffle.partitions"]',
  },
  {
    name: 'autotermination_minutes out of range',
    entries: [json('clusters/a.json', { ...SMALL_CLUSTER, autotermination_minutes: 5 })],
    code: 'CLUSTER_INVALID',
    path: '$.autotermination_minutes',
  },
  {
    name: 'cluster_id in a cluster file',
    entries: [json('clusters/a.json', { ...SMALL_CLUSTER, cluster_id: '0123-456789-abcdefgh' })],
    code: 'CLUSTER_ID_FORBIDDEN',
    path: '$.cluster_id',
    says: ['cluster_name', 'remove cluster_id'],
  },
  {
    name: 'two files with the same cluster_name',
    entries: [json('clusters/a.json', SMALL_CLUSTER), json('clusters/b.json', SMALL_CLUSTER)],
    code: 'CLUSTER_NAME_DUPLICATE',
    file: 'clusters/b.json',
    says: ['clusters/a.json', 'clusters/b.json', '"Small"'],
  },
  {
    name: 'relative init script that the bundle does not have',
    entries: [
      ...baseEntries(),
      json('clusters/ml.json', {
        ...SMALL_CLUSTER,
        cluster_name: 'ML',
        init_scripts: [{ workspace: { destination: 'init-scripts/nope.sh' } }],
      }),
    ],
    code: 'INIT_SCRIPT_NOT_FOUND',
    path: '$.init_scripts[0].workspace.destination',
    says: ['init-scripts/setup.sh'],
  },
  {
    name: 'init script entry with two storage types',
    entries: [
      json('clusters/a.json', {
        ...SMALL_CLUSTER,
        init_scripts: [{ workspace: { destination: '/x' }, dbfs: { destination: 'dbfs:/x' } }],
      }),
    ],
    code: 'INIT_SCRIPT_REF_INVALID',
    path: '$.init_scripts[0]',
  },
  {
    name: 'job without a name',
    entries: [...baseEntries(), json('jobs/a.json', { existing_cluster_id: 'Small', ...NOTEBOOK_TASK })],
    code: 'JOB_NAME_MISSING',
    path: '$.name',
  },
  {
    name: 'two job files with the same name',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', { name: 'etl', existing_cluster_id: 'Small', ...NOTEBOOK_TASK }),
      json('jobs/b.json', { name: 'etl', existing_cluster_id: 'Small', ...NOTEBOOK_TASK }),
    ],
    code: 'JOB_NAME_DUPLICATE',
    file: 'jobs/b.json',
    says: ['jobs/a.json', 'jobs/b.json'],
  },
  {
    name: '2.1 task naming a cluster the bundle does not define',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', {
        name: 'etl',
        tasks: [
          { task_key: 'one', existing_cluster_name: 'Small', ...NOTEBOOK_TASK },
          { task_key: 'two', existing_cluster_name: 'Huge', ...NOTEBOOK_TASK },
        ],
      }),
    ],
    code: 'JOB_UNKNOWN_CLUSTER',
    file: 'jobs/a.json',
    path: '$.tasks[1].existing_cluster_name',
    says: ['"Huge"', 'clusters: Small'],
  },
  {
    name: '2.0 job naming a cluster the bundle does not define',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', { name: 'etl', existing_cluster_id: 'Huge', ...NOTEBOOK_TASK }),
    ],
    code: 'JOB_UNKNOWN_CLUSTER',
    path: '$.existing_cluster_id',
  },
  {
    name: 'task with both existing_cluster_name and existing_cluster_id',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', {
        name: 'etl',
        tasks: [
          { task_key: 'one', existing_cluster_name: 'Small', existing_cluster_id: 'Small', ...NOTEBOOK_TASK },
        ],
      }),
    ],
    code: 'JOB_CLUSTER_REF_CONFLICT',
    path: '$.tasks[0].existing_cluster_id',
  },
  {
    name: 'task with two computes',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', {
        name: 'etl',
        job_clusters: [{ job_cluster_key: 'jc', new_cluster: SMALL_CLUSTER }],
        tasks: [{ task_key: 'one', existing_cluster_name: 'Small', job_cluster_key: 'jc', ...NOTEBOOK_TASK }],
      }),
    ],
    code: 'JOB_TASK_COMPUTE_CONFLICT',
    path: '$.tasks[0].job_cluster_key',
  },
  {
    name: 'notebook path that names no bundle notebook',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', {
        name: 'etl',
        tasks: [
          {
            task_key: 'one',
            existing_cluster_name: 'Small',
            notebook_task: { notebook_path: 'etl/missing' },
          },
        ],
      }),
    ],
    code: 'JOB_UNKNOWN_NOTEBOOK',
    path: '$.tasks[0].notebook_task.notebook_path',
  },
  {
    name: 'notebook path that leaves the bundle',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', {
        name: 'etl',
        existing_cluster_id: 'Small',
        notebook_task: { notebook_path: '../../etc/passwd' },
      }),
    ],
    code: 'JOB_PATH_OUTSIDE_BUNDLE',
    path: '$.notebook_task.notebook_path',
  },
  {
    name: 'notebook_task naming a workspace file',
    entries: [
      ...baseEntries(),
      file('notebooks/etl/settings.yml', 'a: 1\n'),
      json('jobs/a.json', {
        name: 'etl',
        existing_cluster_id: 'Small',
        notebook_task: { notebook_path: 'etl/settings.yml' },
      }),
    ],
    code: 'JOB_NOT_A_NOTEBOOK',
  },
  {
    name: 'spark_python_task naming a .py (which deploys as a notebook)',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', {
        name: 'etl',
        existing_cluster_id: 'Small',
        spark_python_task: { python_file: 'etl/ingest.py' },
      }),
    ],
    code: 'JOB_NOT_A_FILE',
    path: '$.spark_python_task.python_file',
    says: ['notebook_task'],
  },
  {
    name: 'job_cluster_key that job_clusters does not define',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', {
        name: 'etl',
        job_clusters: [{ job_cluster_key: 'main', new_cluster: SMALL_CLUSTER }],
        tasks: [{ task_key: 'one', job_cluster_key: 'mian', ...NOTEBOOK_TASK }],
      }),
    ],
    code: 'JOB_UNKNOWN_JOB_CLUSTER',
    path: '$.tasks[0].job_cluster_key',
    says: ['keys: main'],
  },
  {
    name: 'depends_on naming a missing task',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', {
        name: 'etl',
        tasks: [
          { task_key: 'one', existing_cluster_name: 'Small', ...NOTEBOOK_TASK },
          {
            task_key: 'two',
            depends_on: [{ task_key: 'zero' }],
            existing_cluster_name: 'Small',
            ...NOTEBOOK_TASK,
          },
        ],
      }),
    ],
    code: 'JOB_UNKNOWN_DEPENDENCY',
    path: '$.tasks[1].depends_on[0].task_key',
    says: ['"zero"', 'tasks: one, two'],
  },
  {
    name: 'duplicate task_key',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', {
        name: 'etl',
        tasks: [
          { task_key: 'one', existing_cluster_name: 'Small', ...NOTEBOOK_TASK },
          { task_key: 'one', existing_cluster_name: 'Small', ...NOTEBOOK_TASK },
        ],
      }),
    ],
    code: 'JOB_TASK_KEY_DUPLICATE',
    path: '$.tasks[1].task_key',
  },
  {
    name: 'task without task_key',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', { name: 'etl', tasks: [{ existing_cluster_name: 'Small', ...NOTEBOOK_TASK }] }),
    ],
    code: 'JOB_INVALID',
    path: '$.tasks[0].task_key',
  },
  {
    name: 'dependency cycle',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', {
        name: 'etl',
        tasks: [
          {
            task_key: 'a',
            depends_on: [{ task_key: 'b' }],
            existing_cluster_name: 'Small',
            ...NOTEBOOK_TASK,
          },
          {
            task_key: 'b',
            depends_on: [{ task_key: 'a' }],
            existing_cluster_name: 'Small',
            ...NOTEBOOK_TASK,
          },
        ],
      }),
    ],
    code: 'JOB_DEPENDENCY_CYCLE',
    says: ['a, b'],
  },
  {
    name: 'job mixing the 2.0 and 2.1 forms',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', {
        name: 'etl',
        ...NOTEBOOK_TASK,
        tasks: [{ task_key: 'a', existing_cluster_name: 'Small', ...NOTEBOOK_TASK }],
      }),
    ],
    code: 'JOB_MIXED_FORMS',
    path: '$.notebook_task',
  },
  {
    name: 'job with nothing to run',
    entries: [...baseEntries(), json('jobs/a.json', { name: 'etl', max_concurrent_runs: 1 })],
    code: 'JOB_NO_TASK',
  },
  {
    name: 'job_id in a job file',
    entries: [
      ...baseEntries(),
      json('jobs/a.json', { job_id: 12, name: 'etl', existing_cluster_id: 'Small', ...NOTEBOOK_TASK }),
    ],
    code: 'JOB_ID_FORBIDDEN',
    path: '$.job_id',
  },
  {
    name: 'a jobs/get response pasted as a job file',
    entries: [...baseEntries(), json('jobs/a.json', { job_id: 12, settings: { name: 'etl' } })],
    code: 'JOB_ID_FORBIDDEN',
    says: ['jobs/get response'],
  },
  {
    name: 'a.py and a.sql deploy to the same path',
    entries: [file('notebooks/a.py'), file('notebooks/a.sql')],
    code: 'TARGET_PATH_COLLISION',
    says: ['notebooks/a.py', 'notebooks/a.sql', '/Shared/MyProject/a'],
  },
  {
    name: 'a workspace file and a notebook deploy to the same path',
    entries: [file('notebooks/etl/ingest'), file('notebooks/etl/ingest.py')],
    code: 'TARGET_PATH_COLLISION',
    says: ['notebooks/etl/ingest', 'notebooks/etl/ingest.py'],
  },
  {
    name: 'a notebook where a folder must be',
    entries: [file('notebooks/etl.py'), file('notebooks/etl/ingest.py')],
    code: 'TARGET_PATH_COLLISION',
    file: 'notebooks/etl.py',
    says: ['/Shared/MyProject/etl', 'folder', 'notebooks/etl/ingest.py'],
  },
  {
    // 7,500,001 bytes are 10,000,004 characters of base64: over workspace/import's 10 MB of content.
    name: 'source notebook whose base64 is over 10 MB',
    entries: [file('notebooks/big.py', '', 7_500_001)],
    code: 'MAX_NOTEBOOK_SIZE_EXCEEDED',
    file: 'notebooks/big.py',
    says: ['7.15 MiB', '10 MB of base64', 'api/workspace/workspace/import'],
  },
  {
    name: 'ipynb whose base64 is over 10 MB (workspace/import content limit for every format)',
    entries: [file('notebooks/big.ipynb', '{"cells": []}', 8 * 1024 * 1024)],
    code: 'MAX_NOTEBOOK_SIZE_EXCEEDED',
    says: ['8 MiB', '10 MB of base64', 'api/workspace/workspace/import'],
  },
  {
    name: 'workspace file whose base64 is over 10 MB',
    entries: [file('notebooks/data/big.csv', 'a,b', 8 * 1000 * 1000)],
    code: 'MAX_FILE_SIZE_EXCEEDED',
    file: 'notebooks/data/big.csv',
    says: ['7.63 MiB', '7.15 MiB', '10 MB of base64', 'volume'],
  },
  {
    name: 'workspace init script whose base64 is over 10 MB',
    entries: [file('init-scripts/big.sh', '#!/bin/sh', 7_500_001)],
    code: 'MAX_FILE_SIZE_EXCEEDED',
    file: 'init-scripts/big.sh',
    says: ['7.15 MiB'],
  },
  {
    name: 'ipynb without cells',
    entries: [json('notebooks/old.ipynb', { worksheets: [], nbformat: 3 })],
    code: 'JUPYTER_INVALID',
  },
  {
    name: 'ipynb that is not JSON',
    entries: [file('notebooks/broken.ipynb', '{"cells": [')],
    code: 'JSON_MALFORMED',
    says: ['notebooks/broken.ipynb:1:12'],
  },
  {
    name: 'a symbolic link',
    entries: [...baseEntries(), { type: 'symlink', path: 'notebooks/link.py' }],
    code: 'BUNDLE_SYMLINK',
    file: 'notebooks/link.py',
  },
  {
    name: 'a special file',
    entries: [...baseEntries(), { type: 'special', path: 'init-scripts/fifo' }],
    code: 'BUNDLE_SPECIAL_FILE',
  },
  {
    name: 'an unknown top-level folder',
    entries: [...baseEntries(), { type: 'directory', path: 'pipelines' }],
    code: 'BUNDLE_ENTRY_IGNORED',
    severity: 'warning',
    says: ['pipelines/'],
  },
  {
    name: 'a miscased folder',
    entries: [...baseEntries(), { type: 'directory', path: 'Notebooks' }],
    code: 'BUNDLE_ENTRY_IGNORED',
    severity: 'warning',
    says: ['did you mean notebooks/'],
  },
  {
    name: 'a cluster file in a subfolder',
    entries: [...baseEntries(), json('clusters/old/a.json', SMALL_CLUSTER)],
    code: 'BUNDLE_ENTRY_IGNORED',
    severity: 'warning',
  },
  {
    name: 'a seed dbfs init script reference that the bundle does not have',
    entries: [
      ...baseEntries(),
      json('clusters/ml.json', {
        ...SMALL_CLUSTER,
        cluster_name: 'ML',
        init_scripts: [{ dbfs: { destination: 'dbfs:/init-scripts/other.sh' } }],
      }),
    ],
    code: 'INIT_SCRIPT_OUTSIDE_BUNDLE',
    severity: 'warning',
  },
  {
    name: 'clusters/get output fields',
    entries: [json('clusters/a.json', { ...SMALL_CLUSTER, state: 'TERMINATED', creator_user_name: 'a@b.c' })],
    code: 'CLUSTER_OUTPUT_FIELD_IGNORED',
    severity: 'warning',
  },
  {
    name: 'a check naming a job the bundle does not have',
    entries: [
      ...baseEntries(),
      json('jobs/smoke.json', {
        name: 'smoke_test',
        tasks: [{ task_key: 't', ...NOTEBOOK_TASK, existing_cluster_name: 'Small' }],
      }),
      json('bricklane.json', { checks: [{ job: 'smoke_tests' }] }),
    ],
    code: 'OPTIONS_INVALID',
    file: 'bricklane.json',
    path: '$.checks[0].job',
    says: ['"smoke_tests"', 'smoke_test'],
  },
  {
    name: 'a check naming its job twice',
    entries: [
      ...baseEntries(),
      json('jobs/smoke.json', {
        name: 'smoke_test',
        tasks: [{ task_key: 't', ...NOTEBOOK_TASK, existing_cluster_name: 'Small' }],
      }),
      json('bricklane.json', { checks: [{ job: 'smoke_test' }, { job: 'smoke_test', timeoutMinutes: 5 }] }),
    ],
    code: 'OPTIONS_INVALID',
    path: '$.checks[1].job',
    says: ['a second time'],
  },
  {
    name: 'a check timeout over 12 hours',
    entries: [
      ...baseEntries(),
      json('jobs/smoke.json', {
        name: 'smoke_test',
        tasks: [{ task_key: 't', ...NOTEBOOK_TASK, existing_cluster_name: 'Small' }],
      }),
      json('bricklane.json', { checks: [{ job: 'smoke_test', timeoutMinutes: 721 }] }),
    ],
    code: 'OPTIONS_INVALID',
    path: '$.checks[0].timeoutMinutes',
  },
];

describe('validateBundle rules', () => {
  it.each(RULES)('$name -> $code', ({ entries, code, severity = 'error', file: inFile, path, says = [] }) => {
    const result = validate(entries);
    const found = result.diagnostics.filter((d) => d.code === code);
    expect(found, JSON.stringify(result.diagnostics, null, 2)).toHaveLength(1);
    const [diagnostic] = found;
    expect(diagnostic?.severity).toBe(severity);
    if (inFile !== undefined) expect(diagnostic?.file).toBe(inFile);
    if (path !== undefined) expect(diagnostic?.path).toBe(path);
    for (const text of says) expect(diagnostic?.summary).toContain(text);
    expect(diagnostic?.summary).toMatch(/[.)]$/);
    expect(result.bundle === undefined).toBe(severity === 'error');
  });

  it('stays quiet about README files, hidden entries and the base bundle', () => {
    const result = validate([
      ...baseEntries(),
      file('README.md'),
      file('LICENSE'),
      file('.gitignore'),
      { type: 'directory', path: '.git' },
      file('notebooks/.DS_Store'),
      { type: 'symlink', path: '.venv' },
    ]);
    expect(result.diagnostics).toEqual([]);
    expect(result.bundle?.notebooks.map((n) => n.source)).toEqual([
      'notebooks/etl/ingest.py',
      'notebooks/etl/report.sql',
    ]);
  });

  it('warns about an unknown top-level file but still returns the bundle', () => {
    const result = validate([...baseEntries(), file('azure-pipelines.yml')]);
    expect(warnings(result).map((d) => d.code)).toEqual(['BUNDLE_ENTRY_IGNORED']);
    expect(result.bundle).toBeDefined();
  });

  it('accepts a source notebook whose base64 is exactly 10,000,000 characters (7,500,000 bytes)', () => {
    expect(errors(validate([file('notebooks/big.py', '', 7_500_000)]))).toEqual([]);
  });

  it('accepts instance_pool_id instead of node_type_id', () => {
    const result = validate([
      json('clusters/a.json', { ...SMALL_CLUSTER, node_type_id: undefined, instance_pool_id: 'pool-1' }),
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  it('reports all problems of a bundle at once', () => {
    const result = validate([
      file('clusters/broken.json', '{"cluster_name": "A",}'),
      json('clusters/b.json', { ...SMALL_CLUSTER, cluster_id: '0123-456789-abcdefgh' }),
      file('notebooks/a.py'),
      file('notebooks/a.sql'),
      file('notebooks/huge.scala', '', 11 * 1024 * 1024),
      json('jobs/a.json', {
        name: 'etl',
        existing_cluster_id: 'Nope',
        notebook_task: { notebook_path: 'missing' },
      }),
      json('bricklane.json', { approvers: ['a@example.com'] }),
      { type: 'symlink', path: 'init-scripts/link.sh' },
    ]);
    expect(result.bundle).toBeUndefined();
    expect(new Set(errors(result).map((d) => d.code))).toEqual(
      new Set([
        'JSON_MALFORMED',
        'CLUSTER_ID_FORBIDDEN',
        'TARGET_PATH_COLLISION',
        'MAX_NOTEBOOK_SIZE_EXCEEDED',
        'JOB_UNKNOWN_CLUSTER',
        'JOB_UNKNOWN_NOTEBOOK',
        'OPTIONS_OPERATOR_KEY',
        'BUNDLE_SYMLINK',
      ]),
    );
  });

  it('does not report a job for naming a cluster whose file has errors', () => {
    const result = validate([
      ...baseEntries(),
      json('clusters/big.json', { ...SMALL_CLUSTER, cluster_name: 'Big', num_workers: -3 }),
      json('jobs/a.json', { name: 'etl', existing_cluster_id: 'Big', ...NOTEBOOK_TASK }),
    ]);
    expect(errors(result).map((d) => d.code)).toEqual(['CLUSTER_INVALID']);
  });
});

describe('validateBundle items', () => {
  it('classifies notebooks by extension and keeps other files as workspace files', () => {
    const result = validate([
      file('notebooks/a/etl.py'),
      file('notebooks/a/query.sql'),
      file('notebooks/a/job.scala'),
      file('notebooks/a/stats.r'),
      file('notebooks/a/model.R'),
      json('notebooks/a/explore.ipynb', { cells: [], nbformat: 4, nbformat_minor: 5, metadata: {} }),
      file('notebooks/a/notes.txt'),
      file('notebooks/a/conf.yml'),
      file('notebooks/a/lib-1.0-py3-none-any.whl'),
      file('notebooks/a/data.csv'),
      file('notebooks/Makefile'),
    ]);
    expect(result.diagnostics).toEqual([]);
    expect(result.bundle?.notebooks.map((n) => [n.key, n.format, n.language])).toEqual([
      ['notebooks./Shared/MyProject/a/etl', 'SOURCE', 'PYTHON'],
      ['notebooks./Shared/MyProject/a/explore', 'JUPYTER', undefined],
      ['notebooks./Shared/MyProject/a/job', 'SOURCE', 'SCALA'],
      ['notebooks./Shared/MyProject/a/model', 'SOURCE', 'R'],
      ['notebooks./Shared/MyProject/a/query', 'SOURCE', 'SQL'],
      ['notebooks./Shared/MyProject/a/stats', 'SOURCE', 'R'],
    ]);
    expect(result.bundle?.files.map((f) => f.target)).toEqual([
      '/Shared/MyProject/Makefile',
      '/Shared/MyProject/a/conf.yml',
      '/Shared/MyProject/a/data.csv',
      '/Shared/MyProject/a/lib-1.0-py3-none-any.whl',
      '/Shared/MyProject/a/notes.txt',
    ]);
    expect(result.bundle?.files[0]?.key).toBe('files./Shared/MyProject/Makefile');
  });

  it('keeps notebook extensions when asked, which also avoids the a.py/a.sql collision', () => {
    const result = validate([
      json('bricklane.json', { keepNotebookExtensions: true, notebookRoot: '/Users/ci/project/' }),
      file('notebooks/a.py'),
      file('notebooks/a.sql'),
    ]);
    expect(result.diagnostics).toEqual([]);
    expect(result.bundle?.notebooks.map((n) => n.target)).toEqual([
      '/Users/ci/project/a.py',
      '/Users/ci/project/a.sql',
    ]);
  });

  it("places init scripts under the workspace root by default, and under the project's dbfs:/init-scripts folder when asked", () => {
    const workspace = validate(baseEntries()).bundle;
    expect(workspace?.initScripts).toEqual([
      expect.objectContaining({
        key: 'initScripts.setup.sh',
        source: 'init-scripts/setup.sh',
        target: '/Shared/MyProject/init-scripts/setup.sh',
      }),
    ]);
    const dbfs = validate([...baseEntries(), json('bricklane.json', { initScriptTarget: 'dbfs' })]).bundle;
    expect(dbfs?.initScripts[0]?.target).toBe('dbfs:/init-scripts/MyProject/setup.sh');
    expect(dbfs?.options.initScriptRoot).toBe('dbfs:/init-scripts/MyProject');
  });

  it('detects an init script colliding with a notebook folder when both live in the workspace', () => {
    const result = validate([file('init-scripts/setup.sh'), file('notebooks/init-scripts.py')]);
    expect(errors(result).map((d) => d.code)).toEqual(['TARGET_PATH_COLLISION']);
  });

  it('hashes clusters and jobs by canonical JSON, so key order does not matter', () => {
    const a = validate([json('clusters/a.json', SMALL_CLUSTER)]).bundle?.clusters[0];
    const reordered = Object.fromEntries(Object.entries(SMALL_CLUSTER).reverse());
    const b = validate([json('clusters/a.json', reordered)]).bundle?.clusters[0];
    expect(a?.sha256).toBe(sha256OfJson(a?.spec));
    expect(a?.sha256).toBe(b?.sha256);
    expect(a?.key).toBe('clusters.Small');
  });

  it('sorts every item list by key, whatever the input order', () => {
    const entries = [
      json('clusters/z.json', { ...SMALL_CLUSTER, cluster_name: 'Alpha' }),
      json('clusters/a.json', { ...SMALL_CLUSTER, cluster_name: 'Zulu' }),
      file('notebooks/b.py'),
      file('notebooks/a.py'),
    ];
    const forward = validate(entries).bundle;
    const backward = validate([...entries].reverse()).bundle;
    expect(forward?.clusters.map((c) => c.key)).toEqual(['clusters.Alpha', 'clusters.Zulu']);
    expect(forward?.notebooks.map((c) => c.key)).toEqual([
      'notebooks./Shared/MyProject/a',
      'notebooks./Shared/MyProject/b',
    ]);
    expect(backward).toEqual(forward);
  });
});

describe('init script references', () => {
  const cluster = (initScripts: unknown[]): BundleEntry =>
    json('clusters/ml.json', { ...SMALL_CLUSTER, cluster_name: 'ML', init_scripts: initScripts });
  const rewrite = (initScripts: unknown[], options: object = {}): unknown => {
    const result = validate([...baseEntries(), cluster(initScripts), json('bricklane.json', options)]);
    expect(errors(result)).toEqual([]);
    return result.bundle?.clusters.find((c) => c.name === 'ML')?.spec['init_scripts'];
  };
  const WORKSPACE = { workspace: { destination: '/Shared/MyProject/init-scripts/setup.sh' } };
  const DBFS = { dbfs: { destination: 'dbfs:/init-scripts/MyProject/setup.sh' } };

  it.each([
    ['bundle-relative path', { workspace: { destination: 'init-scripts/setup.sh' } }, {}, WORKSPACE],
    ['path relative to init-scripts/', { workspace: { destination: './setup.sh' } }, {}, WORKSPACE],
    ["the seed's dbfs location", { dbfs: { destination: 'dbfs:/init-scripts/setup.sh' } }, {}, WORKSPACE],
    ['the deployed location itself', WORKSPACE, {}, WORKSPACE],
    [
      'bundle-relative path, dbfs target',
      { workspace: { destination: 'init-scripts/setup.sh' } },
      { initScriptTarget: 'dbfs' },
      DBFS,
    ],
    [
      "the seed's dbfs location, dbfs target",
      { dbfs: { destination: 'dbfs:/init-scripts/setup.sh' } },
      { initScriptTarget: 'dbfs' },
      DBFS,
    ],
    ['the deployed dbfs location itself', DBFS, { initScriptTarget: 'dbfs' }, DBFS],
    [
      'a custom workspace root',
      { workspace: { destination: 'setup.sh' } },
      { initScriptRoot: '/Shared/ops/init' },
      { workspace: { destination: '/Shared/ops/init/setup.sh' } },
    ],
    [
      'a Unity Catalog volume outside the bundle',
      { volumes: { destination: '/Volumes/main/ops/scripts/x.sh' } },
      {},
      { volumes: { destination: '/Volumes/main/ops/scripts/x.sh' } },
    ],
    [
      'abfss outside the bundle',
      { abfss: { destination: 'abfss://c@acct.dfs.core.windows.net/x.sh' } },
      {},
      { abfss: { destination: 'abfss://c@acct.dfs.core.windows.net/x.sh' } },
    ],
  ])('%s', (_name, reference, options, expected) => {
    expect(rewrite([reference], options)).toEqual([expected]);
  });

  it('records the init scripts a cluster uses', () => {
    const result = validate([
      ...baseEntries(),
      cluster([{ workspace: { destination: 'init-scripts/setup.sh' } }]),
    ]);
    expect(result.bundle?.clusters.find((c) => c.name === 'ML')?.initScriptRefs).toEqual([
      'initScripts.setup.sh',
    ]);
  });

  it('rewrites init scripts of job clusters and new clusters too', () => {
    const newCluster = {
      ...SMALL_CLUSTER,
      init_scripts: [{ workspace: { destination: 'init-scripts/setup.sh' } }],
    };
    const result = validate([
      ...baseEntries(),
      json('jobs/a.json', {
        name: 'etl',
        job_clusters: [{ job_cluster_key: 'jc', new_cluster: newCluster }],
        tasks: [
          { task_key: 'a', job_cluster_key: 'jc', ...NOTEBOOK_TASK },
          {
            task_key: 'b',
            new_cluster: {
              ...newCluster,
              init_scripts: [{ workspace: { destination: 'init-scripts/missing.sh' } }],
            },
            ...NOTEBOOK_TASK,
          },
        ],
      }),
    ]);
    expect(errors(result).map((d) => [d.code, d.path])).toEqual([
      ['INIT_SCRIPT_NOT_FOUND', '$.tasks[1].new_cluster.init_scripts[0].workspace.destination'],
    ]);
  });
});
