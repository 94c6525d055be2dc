// I/O: unpacks an uploaded or fetched archive (.tar.gz/.tgz, .tar or .zip, told apart by their first bytes,
// not their names) into a new folder, refusing absolute paths, "..", links, special files, duplicates, and
// oversize or too many entries (a file over the largest a bundle can deploy, a total over an absolute
// bound or over 100 times the archive's own size: ExtractionSink). Extraction stops at the first entry
// over a limit, before the byte that crosses it is written. All or nothing: entries go to a fresh folder
// next to the destination, which is renamed into place only once the whole archive passed.
import { mkdir, mkdtemp, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ArchiveRejectedError } from './ArchiveRejectedError';
import { ExtractionSink, type ArchiveLimits } from './ExtractionSink';
import { extractTar } from './extractTar';
import { extractZip } from './extractZip';

export type { ArchiveLimits } from './ExtractionSink';

export interface ExtractedArchive {
  files: number;
  bytes: number;
}

type ArchiveFormat = 'tar.gz' | 'tar' | 'zip';

export async function extractArchive(
  archivePath: string,
  destination: string,
  limits: ArchiveLimits = {},
): Promise<ExtractedArchive> {
  const target = resolve(destination);
  await requireFreeDestination(target);
  const format = await archiveFormatOf(archivePath);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  // Same parent, same file system: the final rename is atomic, and a crash leaves only a dot-folder.
  const work = await mkdtemp(join(parent, `.${basename(target)}.extracting-`));
  try {
    const sink = new ExtractionSink(work, limits, (await stat(archivePath)).size);
    if (format === 'zip') await extractZip(archivePath, sink);
    else await extractTar(archivePath, format === 'tar.gz', sink);
    // rename() replaces an empty folder on POSIX but not on Windows: remove it first.
    await rmdir(target).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(work, target);
    return { files: sink.files, bytes: sink.bytes };
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}

async function requireFreeDestination(target: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') names = ['(a file)'];
    else throw error;
  }
  if (names.length > 0) {
    throw new Error(
      `extractArchive: ${target} already exists and is not empty; extract into a new folder (nothing is merged or overwritten)`,
    );
  }
}

async function archiveFormatOf(archivePath: string): Promise<ArchiveFormat> {
  const head = Buffer.alloc(512);
  const file = await open(archivePath, 'r');
  let length: number;
  try {
    ({ bytesRead: length } = await file.read(head, 0, head.length, 0));
  } finally {
    await file.close();
  }
  if (length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  const magic = head.subarray(0, 4).toString('latin1');
  // PK\3\4 starts a zip's first entry; PK\5\6 is the end record of a zip with no entries.
  if (magic === 'PK\x03\x04' || magic === 'PK\x05\x06') return 'zip';
  if (length === 512 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  if (length === 0) {
    throw new ArchiveRejectedError('Truncated', 'the archive is empty (0 bytes); upload it again');
  }
  throw new ArchiveRejectedError(
    'UnsupportedFormat',
    'the file is not a gzip-compressed tar, a tar or a zip (judged by its first bytes, not its name); ' +
      'upload a .tar.gz (tar -czf), a .tgz or a .zip',
  );
}
