// Unit tests: a bundle as one environment deploys it when the operator chose where its init scripts go:
// scripts, cluster and job-cluster references move together, and nothing changes without a choice or with the
// bundle's own one.
import { describe, expect, it } from 'vitest';
import type { Bundle } from '../../../src/manifest/Bundle';
import { retargetInitScripts } from '../../../src/manifest/retargetInitScripts';
import { sha256OfJson } from '../../../src/manifest/sha256OfJson';
import { baseEntries, json, SMALL_CLUSTER, validate } from './bundleEntries';

const SCRIPT = '/Shared/MyProject/init-scripts/setup.sh';
const seedRef = [{ dbfs: { destination: 'dbfs:/init-scripts/setup.sh' } }];

function bundle(): Bundle {
  const entries = baseEntries().filter((e) => e.path !== 'clusters/small.json');
  entries.push(
    json('clusters/small.json', { ...SMALL_CLUSTER, init_scripts: seedRef }),
    json('jobs/nightly.json', {
      name: 'nightly',
      job_clusters: [
        {
          job_cluster_key: 'main',
          new_cluster: {
            ...SMALL_CLUSTER,
            init_scripts: [{ workspace: { destination: 'init-scripts/setup.sh' } }],
          },
        },
      ],
      tasks: [
        { task_key: 'ingest', job_cluster_key: 'main', notebook_task: { notebook_path: 'etl/ingest' } },
      ],
    }),
  );
  const loaded = validate(entries);
  if (!loaded.bundle) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded.bundle;
}

describe('retargetInitScripts', () => {
  it('moves the scripts and every reference to them, clusters and job clusters, with new hashes', () => {
    const before = bundle();
    expect(before.initScripts.map((s) => s.target)).toEqual([SCRIPT]);
    const after = retargetInitScripts(before, {
      target: 'volume',
      root: '/Volumes/main/ops/scripts',
      setting: 'BRICKLANE_QA_INIT_SCRIPT_TARGET=volume:/Volumes/main/ops/scripts',
    });
    const moved = [{ volumes: { destination: '/Volumes/main/ops/scripts/setup.sh' } }];
    expect(after.options).toMatchObject({
      initScriptTarget: 'volume',
      initScriptRoot: '/Volumes/main/ops/scripts',
    });
    expect(after.initScripts.map((s) => [s.key, s.target])).toEqual([
      ['initScripts.setup.sh', '/Volumes/main/ops/scripts/setup.sh'],
    ]);
    const cluster = after.clusters[0];
    expect(cluster?.spec['init_scripts']).toEqual(moved);
    expect(cluster?.sha256).toBe(sha256OfJson(cluster?.spec));
    expect(cluster?.sha256).not.toBe(before.clusters[0]?.sha256);
    const job = after.jobs[0];
    const jobClusters = job?.settings['job_clusters'] as { new_cluster: Record<string, unknown> }[];
    expect(jobClusters[0]?.new_cluster['init_scripts']).toEqual(moved);
    expect(job?.sha256).toBe(sha256OfJson(job?.settings));
    expect(after.environmentWarnings).toEqual([
      "init scripts deploy to /Volumes/main/ops/scripts here, as BRICKLANE_QA_INIT_SCRIPT_TARGET=volume:/Volumes/main/ops/scripts chooses over bricklane.json's workspace (/Shared/MyProject/init-scripts); the references in clusters/small.json, jobs/nightly.json point at volumes copies there.",
    ]);
    // The bundle it came from is untouched.
    expect(before.clusters[0]?.spec['init_scripts']).toEqual([{ workspace: { destination: SCRIPT } }]);
  });

  it('is the same bundle without a choice, or with the one the bundle made', () => {
    const before = bundle();
    expect(retargetInitScripts(before, undefined)).toBe(before);
    expect(
      retargetInitScripts(before, {
        target: 'workspace',
        root: '/Shared/MyProject/init-scripts',
        setting: 'BRICKLANE_INIT_SCRIPT_TARGET=workspace',
      }),
    ).toBe(before);
  });
});
