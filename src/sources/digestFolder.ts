// I/O: every regular file under a folder with its size and sha256 (POSIX relative paths).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { BundleFileDigest } from './bundleIdOf';

export async function digestFolder(root: string): Promise<BundleFileDigest[]> {
  const files: BundleFileDigest[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of createReadStream(full)) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
        files.push({ path: relative(root, full).split(sep).join('/'), size, sha256: hash.digest('hex') });
      }
    }
  };
  await walk(root);
  return files;
}
