// Pure: plan warnings for runtimes and node types the workspace does not offer.
import { describe, expect, it } from 'vitest';
import { clusterSpecsOf, findUnofferedRuntimes } from '../../../src/planning/findUnofferedRuntimes';
import { formatPlan } from '../../../src/planning/formatPlan';
import { summarizePlan } from '../../../src/planning/computePlan';

const offered = { sparkVersions: ['15.4.x-scala2.12'], nodeTypes: ['Standard_DS3_v2'] };
const good = { spark_version: '15.4.x-scala2.12', node_type_id: 'Standard_DS3_v2' };

describe('clusterSpecsOf', () => {
  it('names every cluster spec: all-purpose clusters, job clusters and task clusters', () => {
    const specs = clusterSpecsOf({
      clusters: [{ key: 'clusters.Small', spec: good }],
      jobs: [
        {
          key: 'jobs.nightly',
          settings: {
            job_clusters: [{ job_cluster_key: 'jc', new_cluster: good }],
            tasks: [
              { task_key: 'a', existing_cluster_name: 'Small' },
              { task_key: 'b', new_cluster: good },
            ],
          },
        },
        { key: 'jobs.plain', settings: { tasks: 'not a list' } },
      ],
    });
    expect(specs.map((s) => s.where)).toEqual([
      'clusters.Small',
      'jobs.nightly job_clusters[0].new_cluster',
      'jobs.nightly tasks[1].new_cluster',
    ]);
  });
});

describe('findUnofferedRuntimes', () => {
  it('warns once per unknown spark_version, node_type_id and driver_node_type_id, and not for offered ones', () => {
    const warnings = findUnofferedRuntimes(
      [
        { where: 'clusters.Small', spec: good },
        { where: 'clusters.Odd', spec: { spark_version: '99.9.x-scala9', node_type_id: 'Standard_DS3_v2' } },
        {
          where: 'jobs.j tasks[0].new_cluster',
          spec: {
            spark_version: '15.4.x-scala2.12',
            node_type_id: 'Standard_X',
            driver_node_type_id: 'Standard_Y',
          },
        },
        { where: 'clusters.Pooled', spec: { spark_version: '15.4.x-scala2.12', instance_pool_id: 'p' } },
      ],
      offered,
    );
    expect(warnings).toEqual([
      expect.stringMatching(
        /^clusters\.Odd: spark_version "99\.9\.x-scala9" is not a runtime this workspace offers/,
      ),
      expect.stringMatching(/^jobs\.j tasks\[0\]\.new_cluster: node_type_id "Standard_X" is not a node type/),
      expect.stringMatching(/^jobs\.j tasks\[0\]\.new_cluster: driver_node_type_id "Standard_Y"/),
    ]);
    expect(warnings[0]).toContain('Invalid spark version');
  });

  it('the CLI plan text prints each warning', () => {
    const text = formatPlan({
      version: 1,
      environment: 'dev',
      steps: [],
      summary: summarizePlan([]),
      warnings: ['clusters.Odd: spark_version "9" is not a runtime this workspace offers'],
    });
    expect(text.split('\n').at(-1)).toBe(
      '  warning: clusters.Odd: spark_version "9" is not a runtime this workspace offers',
    );
    expect(
      formatPlan({ version: 1, environment: 'dev', steps: [], summary: summarizePlan([]) }),
    ).not.toContain('warning');
  });
});
