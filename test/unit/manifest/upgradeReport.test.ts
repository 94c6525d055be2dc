// The migration report (issue 15): each deprecated use of a seed-era bundle, the change it names, and the files
// --write would write, on in-memory bundles.
import { describe, expect, it } from 'vitest';
import type { BundleEntry } from '../../../src/manifest/Bundle';
import { upgradeReport } from '../../../src/manifest/upgradeReport';
import { errors, file, json, SMALL_CLUSTER, validate, warnings } from './bundleEntries';

const seedEra = (): BundleEntry[] => [
  json('bricklane.json', { notebookRoot: '/Users/MyProject', initScriptTarget: 'dbfs' }),
  json('clusters/small.json', {
    ...SMALL_CLUSTER,
    autotermination_minutes: 30,
    init_scripts: [
      { dbfs: { destination: 'dbfs:/init-scripts/setup.sh' } },
      { dbfs: { destination: 'dbfs:/databricks/elsewhere/other.sh' } },
    ],
  }),
  json('clusters/shared.json', { ...SMALL_CLUSTER, cluster_name: 'Shared' }),
  json('jobs/nightly.json', {
    name: 'Nightly ETL',
    existing_cluster_id: 'Small',
    notebook_task: { notebook_path: '/Users/MyProject/etl/ingest' },
    format: 'SINGLE_TASK',
  }),
  json('jobs/report.json', {
    name: 'report',
    tasks: [{ task_key: 'r', existing_cluster_id: 'Small', notebook_task: { notebook_path: 'etl/ingest' } }],
  }),
  file('notebooks/etl/ingest.py', '# Databricks notebook source\nprint(1)\n'),
  file('init-scripts/setup.sh', '#!/bin/bash\necho hi\n'),
];

/** The bundle with the converted files in place of the originals (removed ones dropped). */
function converted(entries: BundleEntry[]): BundleEntry[] {
  const { files } = upgradeReport(entries, 'MyProject');
  const kept = entries.filter((e) => !files.has(e.path));
  return [
    ...kept,
    ...[...files].flatMap(([path, content]) => (content === null ? [] : [json(path, content)])),
  ];
}

describe('upgradeReport', () => {
  it('lists every deprecated use of a seed-era bundle, with where it is', () => {
    const { findings } = upgradeReport(seedEra(), 'MyProject');
    expect(findings.map((f) => [f.code, f.file, f.path, f.automatic])).toEqual([
      ['DBFS_INIT_SCRIPT_TARGET', 'bricklane.json', '$.initScriptTarget', true],
      ['NOTEBOOKS_UNDER_USERS_ROOT', 'bricklane.json', '$.notebookRoot', true],
      ['DBFS_INIT_SCRIPT', 'clusters/small.json', '$.init_scripts[0].dbfs.destination', true],
      ['DBFS_INIT_SCRIPT', 'clusters/small.json', '$.init_scripts[1].dbfs.destination', false],
      ['CLUSTER_ONLY_FOR_JOBS', 'clusters/small.json', '$.cluster_name', true],
      ['JOBS_2_0_SINGLE_TASK', 'jobs/nightly.json', '$', true],
      ['CLUSTER_ID_HOLDS_NAME', 'jobs/report.json', '$.tasks[0].existing_cluster_id', true],
    ]);
  });

  it('gives the exact change for each', () => {
    const changes = Object.fromEntries(
      upgradeReport(seedEra(), 'MyProject').findings.map((f) => [`${f.code} ${f.path}`, f.change]),
    );
    expect(changes['DBFS_INIT_SCRIPT $.init_scripts[0].dbfs.destination']).toContain(
      'replace the entry with {"workspace":{"destination":"init-scripts/setup.sh"}}',
    );
    expect(changes['DBFS_INIT_SCRIPT $.init_scripts[1].dbfs.destination']).toContain(
      "copy the script into the bundle's init-scripts/",
    );
    expect(changes['JOBS_2_0_SINGLE_TASK $']).toBe(
      'move existing_cluster_id, notebook_task into "tasks": [{"task_key": "Nightly_ETL", ...}], naming the cluster as "existing_cluster_name": "Small", and drop "format".',
    );
    expect(changes['CLUSTER_ID_HOLDS_NAME $.tasks[0].existing_cluster_id']).toBe(
      'write "existing_cluster_name": "Small" instead of "existing_cluster_id".',
    );
    expect(changes['NOTEBOOKS_UNDER_USERS_ROOT $.notebookRoot']).toContain('/Shared/MyProject');
    expect(changes['CLUSTER_ONLY_FOR_JOBS $.cluster_name']).toContain('"job_cluster_key": "Small"');
  });

  it('converts what it can: 2.1 tasks on a job cluster, workspace init scripts, bundle paths, default roots', () => {
    const { files } = upgradeReport(seedEra(), 'MyProject');
    expect(files.get('bricklane.json')).toEqual({ initScriptTarget: 'workspace' });
    expect(files.get('clusters/small.json')).toBeNull();
    expect(files.has('clusters/shared.json')).toBe(false);
    expect(files.get('jobs/nightly.json')).toEqual({
      name: 'Nightly ETL',
      tasks: [
        { task_key: 'Nightly_ETL', notebook_task: { notebook_path: 'etl/ingest' }, job_cluster_key: 'Small' },
      ],
      job_clusters: [
        {
          job_cluster_key: 'Small',
          new_cluster: {
            spark_version: SMALL_CLUSTER.spark_version,
            node_type_id: SMALL_CLUSTER.node_type_id,
            num_workers: 1,
            autotermination_minutes: 30,
            init_scripts: [
              { workspace: { destination: 'init-scripts/setup.sh' } },
              { dbfs: { destination: 'dbfs:/databricks/elsewhere/other.sh' } },
            ],
          },
        },
      ],
    });
  });

  it('leaves a converted bundle with only what needs a person (the DBFS script outside the bundle, in both jobs)', () => {
    const after = converted(seedEra());
    expect(upgradeReport(after, 'MyProject').findings.map((f) => [f.code, f.file, f.automatic])).toEqual([
      ['DBFS_INIT_SCRIPT', 'jobs/nightly.json', false],
      ['DBFS_INIT_SCRIPT', 'jobs/report.json', false],
    ]);
  });

  it('writes a copy that validates cleanly when everything converts', () => {
    const entries = seedEra().map((e) =>
      e.path === 'clusters/small.json'
        ? json('clusters/small.json', {
            ...SMALL_CLUSTER,
            init_scripts: [{ dbfs: { destination: 'dbfs:/init-scripts/setup.sh' } }],
          })
        : e,
    );
    const before = validate(entries);
    expect(errors(before).map((d) => d.code)).toEqual([]);
    const after = validate(converted(entries));
    expect(errors(after)).toEqual([]);
    expect(warnings(after)).toEqual([]);
    expect(upgradeReport(converted(entries), 'MyProject').findings).toEqual([]);
  });

  it('finds nothing in a bundle that uses none of it', () => {
    const clean = [
      json('jobs/serverless.json', {
        name: 'serverless',
        environments: [{ environment_key: 'default', spec: { environment_version: '2' } }],
        tasks: [
          { task_key: 't', environment_key: 'default', notebook_task: { notebook_path: 'etl/ingest' } },
        ],
      }),
      file('notebooks/etl/ingest.py', '# Databricks notebook source\nprint(1)\n'),
    ];
    expect(upgradeReport(clean, 'MyProject')).toEqual({ findings: [], files: new Map() });
  });
});
