// Pure: a bundle's id is the sha256 of its file list (path, size, sha256), so the id names the content,
// not one archive encoding of it: the same folder staged twice, or re-packed, gets the same id.
import { createHash } from 'node:crypto';

export interface BundleFileDigest {
  path: string;
  size: number;
  sha256: string;
}

export function bundleIdOf(files: readonly BundleFileDigest[]): string {
  const lines = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.path}\t${f.size}\t${f.sha256}`);
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}
