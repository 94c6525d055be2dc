// Test infrastructure: the files of one commit of a fake repository, from inline contents and fixture
// folders (e.g. `artifacts: { dir: resolve(__dirname, '../../artifacts') }` puts the sample bundle at
// artifacts/).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Repository path -> file contents, or a local folder whose tree is copied under that path. */
export type RepoTree = Record<string, string | Buffer | { dir: string }>;

export interface RepoFile {
  /** POSIX path inside the repository, no leading slash. */
  path: string;
  data: Buffer;
}

export async function collectRepoFiles(tree: RepoTree): Promise<RepoFile[]> {
  const files: RepoFile[] = [];
  for (const [path, content] of Object.entries(tree)) {
    if (typeof content === 'string' || Buffer.isBuffer(content)) {
      files.push({ path, data: Buffer.from(content) });
    } else {
      await walk(content.dir, path, files);
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function walk(dir: string, prefix: string, files: RepoFile[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const path = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) await walk(full, path, files);
    else if (entry.isFile()) files.push({ path, data: await readFile(full) });
  }
}
