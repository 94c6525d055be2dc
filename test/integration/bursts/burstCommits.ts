// Test infrastructure: a burst's commits. Each commit is the sample bundle with one notebook's text carrying
// the commit's number, so every commit is a different bundle and the deployed notebook says which commit
// wrote it last (the burst test reads it from the emulated workspace after every write).
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { collectRepoFiles, type RepoTree } from '../../emulator/collectRepoFiles';

/** The bundle's notebook that carries the commit number (relative to the bundle). */
export const MARKED_NOTEBOOK = 'notebooks/shared/utils.py';
const MARK = /# burst commit (\d+)\n/;

export interface BurstCommit {
  /** 1-based; a later push has a larger number. */
  number: number;
  commit: string;
  /** The repository's files at this commit: the bundle under artifacts/. */
  tree: RepoTree;
}

export async function burstCommits(bundleDir: string, count: number): Promise<BurstCommit[]> {
  const files = await collectRepoFiles({ artifacts: { dir: bundleDir } });
  const marked = `artifacts/${MARKED_NOTEBOOK}`;
  if (!files.some((f) => f.path === marked)) throw new Error(`${bundleDir} has no ${MARKED_NOTEBOOK}`);
  return Array.from({ length: count }, (_, i) => {
    const number = i + 1;
    const tree: RepoTree = {};
    for (const file of files) {
      tree[file.path] =
        file.path === marked
          ? Buffer.concat([file.data, Buffer.from(`\n# burst commit ${number}\n`)])
          : file.data;
    }
    const commit = createHash('sha1').update(`burst commit ${number} ${Date.now()}`).digest('hex');
    return { number, commit, tree };
  });
}

/** The commit number a deployed copy of the marked notebook carries (undefined: none, or not deployed). */
export function markOf(bytes: Buffer | undefined): number | undefined {
  const match = bytes ? MARK.exec(bytes.toString('utf8')) : null;
  return match ? Number(match[1]) : undefined;
}

/** Writes a commit's bundle to a new folder (for loading it as the product loads a bundle). */
export async function writeBundle(commit: BurstCommit): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'bricklane-burst-'));
  for (const [path, content] of Object.entries(commit.tree)) {
    if (!Buffer.isBuffer(content)) throw new Error(`${path}: a burst tree holds file contents only`);
    const target = join(root, path.replace(/^artifacts\//, ''));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  return root;
}
