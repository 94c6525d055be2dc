// Test infrastructure: unpacks a deployment zip into an empty folder, as the Functions host does with a
// package, and returns the entry names in the zip's order.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { openPromise } from 'yauzl';

export async function unzipPackage(zipPath: string, intoDir: string): Promise<string[]> {
  const root = resolve(intoDir);
  const zip = await openPromise(zipPath, { lazyEntries: true });
  const names: string[] = [];
  try {
    for await (const entry of zip.eachEntry()) {
      const target = resolve(root, entry.fileName);
      if (!target.startsWith(root + sep))
        throw new Error(`${zipPath}: entry ${entry.fileName} escapes the folder`);
      names.push(entry.fileName);
      if (entry.fileName.endsWith('/')) {
        mkdirSync(target, { recursive: true });
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(join(target)));
    }
  } finally {
    zip.close();
  }
  return names;
}
