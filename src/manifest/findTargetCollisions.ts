// Pure: two bundle files that would land on the same workspace path, or a file where a folder must be.
// Workspace paths are case-sensitive, so only exact matches collide.
import type { Diagnostic } from './Bundle';

interface Placed {
  source: string;
  target: string;
}

export function findTargetCollisions(items: readonly Placed[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const byTarget = new Map<string, string[]>();
  for (const item of items) byTarget.set(item.target, [...(byTarget.get(item.target) ?? []), item.source]);

  for (const [target, sources] of [...byTarget].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [first, ...others] = [...sources].sort();
    for (const other of others) {
      diagnostics.push({
        severity: 'error',
        code: 'TARGET_PATH_COLLISION',
        file: other,
        summary: `${first} and ${other} both deploy to ${target}; rename one of them (notebook extensions are stripped unless "keepNotebookExtensions" is true in bricklane.json).`,
      });
    }
  }

  // `a.py` -> /root/a cannot coexist with `a/b.py`, which needs /root/a to be a folder.
  const reported = new Set<string>();
  for (const [target, sources] of [...byTarget].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (let cut = target.lastIndexOf('/'); cut > 0; cut = target.lastIndexOf('/', cut - 1)) {
      const folder = target.slice(0, cut);
      const owners = byTarget.get(folder);
      if (owners === undefined || reported.has(folder)) continue;
      reported.add(folder);
      const [owner = ''] = [...owners].sort();
      diagnostics.push({
        severity: 'error',
        code: 'TARGET_PATH_COLLISION',
        file: owner,
        summary: `${owner} deploys to ${folder}, which must be a folder for ${[...sources].sort()[0] ?? target}; rename the file or the folder.`,
      });
    }
  }
  return diagnostics;
}
