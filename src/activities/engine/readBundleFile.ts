// I/O: reads one bundle file for writing, refusing bytes that differ from what was validated and planned.
// A release approves exactly what was planned; a bundle folder edited after planning must not slip through.
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileRef } from '../../manifest/Bundle';

export class BundleChangedError extends Error {
  readonly code = 'BundleChanged';
  constructor(source: string) {
    super(`bundle: ${source} changed after the bundle was validated; validate and plan again`);
    this.name = 'BundleChangedError';
  }
}

export async function readBundleFile(
  root: string,
  item: FileRef,
  options: { verified: boolean } = { verified: false },
): Promise<Buffer> {
  const bytes = await readFile(join(root, ...item.source.split('/')));
  // A staged bundle's folder was verified against its id when this host extracted it, and only bricklane
  // writes there: hashing it again would hash every file twice per host.
  if (options.verified) return bytes;
  if (createHash('sha256').update(bytes).digest('hex') !== item.sha256)
    throw new BundleChangedError(item.source);
  return bytes;
}

/** The first `length` bytes of a bundle file (fewer when it is shorter), to tell its kind without reading it all. */
export async function readBundleFileHead(root: string, item: FileRef, length: number): Promise<Buffer> {
  const file = await open(join(root, ...item.source.split('/')));
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(length), 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
