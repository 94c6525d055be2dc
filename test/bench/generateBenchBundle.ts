// Test infrastructure: writes the benchmark bundle: 1,000 notebooks in 50 folders, 50 init scripts,
// 20 clusters and 20 jobs, in the seed-compatible layout.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchBundleShape {
  folders: number;
  notebooksPerFolder: number;
  initScripts: number;
  clusters: number;
  jobs: number;
}

export const BENCH_SHAPE: BenchBundleShape = {
  folders: 50,
  notebooksPerFolder: 20,
  initScripts: 50,
  clusters: 20,
  jobs: 20,
};

export function generateBenchBundle(dir: string, shape: BenchBundleShape = BENCH_SHAPE): void {
  const write = (rel: string, text: string): void => {
    const path = join(dir, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  };
  write(
    'bricklane.json',
    // A sub-folder of the sandbox project's deployment folder, inside the default boundaries.
    JSON.stringify({ notebookRoot: '/Shared/MyProject/bench', clusterLifecycle: 'terminate' }, null, 2),
  );
  for (let f = 0; f < shape.folders; f++) {
    for (let n = 0; n < shape.notebooksPerFolder; n++) {
      const sql = n % 4 === 3;
      const header = sql ? '-- Databricks notebook source' : '# Databricks notebook source';
      const body = sql
        ? `SELECT ${f} AS folder, ${n} AS notebook;\n`
        : `folder, notebook = ${f}, ${n}\nprint(f"folder {folder} notebook {notebook}")\n${'# padding\n'.repeat(40)}`;
      write(
        `notebooks/area${String(f).padStart(2, '0')}/nb${String(n).padStart(3, '0')}.${sql ? 'sql' : 'py'}`,
        `${header}\n${body}`,
      );
    }
  }
  for (let i = 0; i < shape.initScripts; i++) {
    write(
      `init-scripts/setup-${String(i).padStart(2, '0')}.sh`,
      `#!/bin/bash\nset -euo pipefail\necho "init ${i}"\n`,
    );
  }
  for (let c = 0; c < shape.clusters; c++) {
    const name = `bench-cluster-${String(c).padStart(2, '0')}`;
    write(
      `clusters/${name}.json`,
      JSON.stringify(
        {
          cluster_name: name,
          spark_version: '15.4.x-scala2.12',
          node_type_id: 'Standard_DS3_v2',
          num_workers: 1 + (c % 3),
          autotermination_minutes: 30,
          init_scripts: [
            {
              workspace: {
                destination: `init-scripts/setup-${String(c % shape.initScripts).padStart(2, '0')}.sh`,
              },
            },
          ],
        },
        null,
        2,
      ),
    );
  }
  for (let j = 0; j < shape.jobs; j++) {
    const folder = `area${String(j % shape.folders).padStart(2, '0')}`;
    write(
      `jobs/bench-job-${String(j).padStart(2, '0')}.json`,
      JSON.stringify(
        {
          name: `bench-job-${String(j).padStart(2, '0')}`,
          tasks: [
            {
              task_key: 'run',
              existing_cluster_name: `bench-cluster-${String(j % shape.clusters).padStart(2, '0')}`,
              notebook_task: { notebook_path: `${folder}/nb000` },
            },
          ],
        },
        null,
        2,
      ),
    );
  }
}
