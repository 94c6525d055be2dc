import { describe, expect, it } from 'vitest';
import { resolveJobSettings } from '../../../src/planning/resolveJobSettings';

describe('resolveJobSettings', () => {
  it('swaps cluster names for ids, including inside for-each tasks, and keeps other fields', () => {
    const settings = {
      name: 'j',
      tasks: [
        { task_key: 'a', existing_cluster_name: 'Small', notebook_task: { notebook_path: '/x' } },
        { task_key: 'b', job_cluster_key: 'jc' },
        {
          task_key: 'c',
          for_each_task: { inputs: '[1]', task: { task_key: 'c_i', existing_cluster_name: 'ML' } },
        },
      ],
    };
    const { settings: out, unresolved } = resolveJobSettings(settings, { Small: '1-2-a', ML: '3-4-b' });
    expect(unresolved).toEqual([]);
    expect(out.tasks).toEqual([
      { task_key: 'a', existing_cluster_id: '1-2-a', notebook_task: { notebook_path: '/x' } },
      { task_key: 'b', job_cluster_key: 'jc' },
      {
        task_key: 'c',
        for_each_task: { inputs: '[1]', task: { task_key: 'c_i', existing_cluster_id: '3-4-b' } },
      },
    ]);
    expect(settings.tasks[0]).toHaveProperty('existing_cluster_name', 'Small');
  });

  it('reports names without a live id and leaves them unresolved', () => {
    const { unresolved } = resolveJobSettings(
      {
        tasks: [
          { task_key: 'a', existing_cluster_name: 'New' },
          { task_key: 'b', existing_cluster_name: 'New' },
        ],
      },
      { Other: 'x' },
    );
    expect(unresolved).toEqual(['New']);
  });

  it("sets queue explicitly: off when the bundle sets none (as Jobs 2.0/2.1 had it), the bundle's otherwise", () => {
    expect(resolveJobSettings({ name: 'j' }, {}).settings).toEqual({ name: 'j', queue: { enabled: false } });
    expect(resolveJobSettings({ name: 'j', tasks: [] }, {}).settings).toEqual({
      name: 'j',
      tasks: [],
      queue: { enabled: false },
    });
    expect(resolveJobSettings({ name: 'j', queue: { enabled: true } }, {}).settings).toEqual({
      name: 'j',
      queue: { enabled: true },
    });
  });
});
