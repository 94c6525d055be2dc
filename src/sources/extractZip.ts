// I/O: a zip -> files through an ExtractionSink. yauzl reads the central directory lazily and validates sizes
// and names; entry types come from the Unix mode in the external attributes, and every file's bytes are
// counted as they inflate and checked against its CRC-32 (yauzl checks neither).
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { openPromise, type Entry, type ZipFile } from 'yauzl';
import { ArchiveRejectedError } from './ArchiveRejectedError';
import type { ExtractionSink } from './ExtractionSink';
import { safeEntryPath } from './safeEntryPath';

// st_mode file types (POSIX <sys/stat.h>), stored by Unix zip tools in the high 16 bits of the attributes.
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const SPECIAL: Record<number, string> = {
  0o010000: 'FIFO',
  0o020000: 'character device',
  0o060000: 'block device',
  0o140000: 'socket',
};
const STORED = 0;
const DEFLATED = 8;

export async function extractZip(archivePath: string, sink: ExtractionSink): Promise<void> {
  let zip: ZipFile;
  try {
    zip = await openPromise(archivePath, {
      lazyEntries: true,
      autoClose: true,
      decodeStrings: true,
      validateEntrySizes: true,
      strictFileNames: true,
    });
  } catch (error) {
    throw asRejection(error);
  }
  try {
    sink.expectEntries(zip.entryCount);
    for await (const entry of zip.eachEntry()) await writeEntry(zip, entry, sink);
  } catch (error) {
    throw asRejection(error);
  } finally {
    zip.close();
  }
}

async function writeEntry(zip: ZipFile, entry: Entry, sink: ExtractionSink): Promise<void> {
  const name = entry.fileName;
  const shown = JSON.stringify(name);
  sink.countEntry(name);
  safeEntryPath(name);
  // Read whatever the host system in "version made by": some tools set Unix modes without claiming Unix,
  // and a link unpacked as a plain file would still change what the bundle means.
  const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (type === S_IFLNK) {
    throw new ArchiveRejectedError(
      'Link',
      `entry ${shown} is a symbolic link; links are not unpacked because they can reach outside the bundle. ` +
        'Replace it with a copy of the file (zip without -y / --symlinks)',
      name,
    );
  }
  const special = SPECIAL[type];
  if (special) {
    throw new ArchiveRejectedError(
      'SpecialFile',
      `entry ${shown} is a ${special}, not a file or folder; build the archive from the bundle folder only`,
      name,
    );
  }
  if (name.endsWith('/') || type === S_IFDIR) return sink.folder(name);
  if (entry.isEncrypted()) {
    throw new ArchiveRejectedError(
      'UnsupportedFormat',
      `entry ${shown} is encrypted; upload the archive without a password`,
      name,
    );
  }
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
    throw new ArchiveRejectedError(
      'UnsupportedFormat',
      `entry ${shown} uses compression method ${entry.compressionMethod}; only stored and deflated entries are supported (the zip defaults)`,
      name,
    );
  }
  await sink.file(name, entry.uncompressedSize, async () =>
    crcChecked(await zip.openReadStreamPromise(entry), entry.crc32, name),
  );
}

async function* crcChecked(stream: Readable, expected: number, name: string): AsyncIterable<Buffer> {
  let crc = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    crc = crc32(chunk, crc);
    yield chunk;
  }
  if (crc >>> 0 !== expected >>> 0) {
    throw new ArchiveRejectedError(
      'Corrupt',
      `entry ${JSON.stringify(name)} fails its CRC-32 check: the archive is damaged; build and upload it again`,
      name,
    );
  }
}

/** yauzl's and zlib's errors, as what they mean for the person who made the archive. */
function asRejection(error: unknown): unknown {
  if (error instanceof ArchiveRejectedError || !(error instanceof Error)) return error;
  const message = error.message;
  const named = (prefix: string): string => message.slice(prefix.length);
  if (message.startsWith('absolute path: ')) return safeRejection(named('absolute path: '));
  if (message.startsWith('invalid relative path: ')) return safeRejection(named('invalid relative path: '));
  if (message.startsWith('invalid characters in fileName: ')) {
    return safeRejection(named('invalid characters in fileName: '));
  }
  if (
    /end of central directory record signature not found|unexpected EOF|overflows file bounds/i.test(message)
  ) {
    return new ArchiveRejectedError('Truncated', `the zip is incomplete (${message}); upload it again`);
  }
  if (/multi-disk|unsupported compression|encrypt/i.test(message)) {
    return new ArchiveRejectedError('UnsupportedFormat', `${message}; upload a plain zip or a .tar.gz`);
  }
  const code = (error as Error & { code?: unknown }).code;
  // yauzl reports the zip's structure with plain Errors, zlib its data with Z_* codes. Anything else (a file
  // system error, a TypeError) is not the archive's fault and passes through.
  const fromZip = error.constructor === Error && code === undefined;
  if (fromZip || (typeof code === 'string' && code.startsWith('Z_'))) {
    return new ArchiveRejectedError('Corrupt', `the zip is damaged (${message}); build and upload it again`);
  }
  return error;
}

/** The same rejection safeEntryPath gives, for a name yauzl refused first. */
function safeRejection(name: string): unknown {
  try {
    safeEntryPath(name);
  } catch (error) {
    return error;
  }
  return new ArchiveRejectedError('InvalidPath', `entry ${JSON.stringify(name)} has an invalid name`, name);
}
