// I/O: a tar or tar.gz -> files through an ExtractionSink. tar's Parser (strict) decodes the headers; each
// entry's type, path and size is judged here, never by the unpacker. Decompression is ours rather than the
// parser's, so every expanded byte is counted, including tar padding and anything after the end marker.
import { on } from 'node:events';
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { ArchiveRejectedError } from './ArchiveRejectedError';
import type { ExtractionSink } from './ExtractionSink';
import { safeEntryPath } from './safeEntryPath';

const BLOCK = 512;
/** Header, a PAX record for a long path and padding: what an entry costs in the tar stream besides its data. */
const OVERHEAD_PER_ENTRY = 3 * 1024;

export async function extractTar(archivePath: string, gzip: boolean, sink: ExtractionSink): Promise<void> {
  // zstd: false — tar would otherwise sniff and inflate a second compression layer, uncounted.
  const parser = new Parser({ strict: true, zstd: false });
  let sawEndMarker = false;
  let failure: unknown;
  let current: ReadEntry | undefined;
  // The first error wins, and it also ends the read of the entry being written: when the input stops
  // mid-entry (a gzip cut short), that entry would otherwise wait forever for the rest of its bytes.
  // destroy() ends a read that is waiting; readChunks checks `failure` before each wait, since a destroy
  // that comes first is lost on a read that starts after it.
  const fail = (error: unknown): void => {
    failure ??= error;
    current?.destroy();
  };
  const failed = (): unknown => failure;
  // This listener also keeps an error that arrives after the loop stopped listening (while the pipeline is
  // torn down) from crashing the worker.
  parser.on('error', fail);
  parser.on('eof', () => (sawEndMarker = true));
  // Entry types tar does not unpack (sparse, volume headers, oversize PAX records) are refused, not skipped:
  // skipping would silently drop files, or apply a long path to the wrong entry.
  parser.on('ignoredEntry', (entry: ReadEntry) =>
    parser.emit(
      'error',
      new ArchiveRejectedError(
        'UnsupportedFormat',
        `entry ${JSON.stringify(entry.path)} is a tar entry of type ${entry.type}, which bricklane does not unpack; build the archive with plain files and folders only`,
        entry.path,
      ),
    ),
  );
  const entries = on(parser, 'entry', { close: ['end'] }) as AsyncIterableIterator<[ReadEntry]>;
  const maxTarBytes = sink.maxExpandedBytes + sink.maxEntries * OVERHEAD_PER_ENTRY + 1024 * 1024;
  const stop = new AbortController();
  const source = createReadStream(archivePath);
  const feeder = feedParser(parser, maxTarBytes, () => sawEndMarker);
  const feeding = (
    gzip
      ? pipeline(source, createGunzip(), feeder, { signal: stop.signal })
      : pipeline(source, feeder, { signal: stop.signal })
  ).catch((error: unknown) => {
    // Through the parser, so the loop below hears of it while it waits for the next entry.
    parser.emit('error', error);
  });
  let finished = false;
  try {
    for await (const [entry] of entries) {
      // An entry queued before the error still comes out of the iterator; its data never will.
      if (failure !== undefined) break;
      current = entry;
      await writeEntry(entry, sink, failed);
      current = undefined;
    }
    finished = true;
  } catch (error) {
    throw asRejection(failure ?? error);
  } finally {
    if (!finished || failure !== undefined) stop.abort();
    await feeding;
  }
  if (failure !== undefined) throw asRejection(failure);
  if (!sawEndMarker) {
    throw new ArchiveRejectedError(
      'Truncated',
      "the tar data stops without tar's end-of-archive marker: it was cut short; upload it again",
    );
  }
}

async function writeEntry(entry: ReadEntry, sink: ExtractionSink, failed: () => unknown): Promise<void> {
  const name = entry.path;
  const shown = JSON.stringify(name);
  sink.countEntry(name);
  safeEntryPath(name);
  switch (entry.type) {
    case 'Directory':
      await sink.folder(name);
      entry.resume();
      return;
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      // ReadEntry is a Minipass stream: paused until read, which holds the parser back.
      return sink.file(name, entry.size, () => Promise.resolve(readChunks(entry, failed)));
    case 'SymbolicLink':
    case 'Link':
      throw new ArchiveRejectedError(
        'Link',
        `entry ${shown} is a ${entry.type === 'Link' ? 'hard' : 'symbolic'} link (to ${JSON.stringify(entry.linkpath ?? '')}); ` +
          'links are not unpacked because they can reach outside the bundle. Replace it with a copy of the file',
        name,
      );
    case 'CharacterDevice':
    case 'BlockDevice':
    case 'FIFO':
      throw new ArchiveRejectedError(
        'SpecialFile',
        `entry ${shown} is a ${entry.type}, not a file or folder; build the archive from the bundle folder only`,
        name,
      );
    default:
      throw new ArchiveRejectedError(
        'UnsupportedFormat',
        `entry ${shown} is a tar entry of type ${entry.type}, which bricklane does not unpack; build the archive with plain files and folders only`,
        name,
      );
  }
}

/** The entry's chunks, ending with the extraction's failure as soon as there is one. */
async function* readChunks(entry: ReadEntry, failed: () => unknown): AsyncGenerator<Buffer> {
  const chunks = entry[Symbol.asyncIterator]();
  for (;;) {
    const failure = failed();
    if (failure !== undefined) throw failure;
    const next = await chunks.next();
    if (next.done === true) return;
    yield next.value;
  }
}

/**
 * The parser as the end of a stream pipeline: counts the expanded tar bytes, checks that the data is a tar
 * at all, respects the parser's backpressure, and reads past the end marker without parsing (so a gzip
 * stream is still read to its checksum, while trailing data cannot pile up in the parser).
 */
function feedParser(parser: Parser, maxTarBytes: number, ended: () => boolean): Writable {
  let seen = 0;
  let head: Buffer | undefined = Buffer.alloc(0);
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxTarBytes) {
        done(
          new ArchiveRejectedError(
            'TooLarge',
            `the archive expands to more than ${maxTarBytes} bytes of tar data; keep large data out of the bundle`,
          ),
        );
        return;
      }
      if (ended()) return done();
      let data = chunk;
      if (head !== undefined) {
        head = Buffer.concat([head, chunk]);
        if (head.length < BLOCK) return done();
        if (!isTarHeader(head)) return done(notTar());
        data = head;
        head = undefined;
      }
      if (parser.write(data)) done();
      else parser.once('drain', () => done());
    },
    final(done) {
      if (head !== undefined) {
        // Too short for a header: another compressed layer (a .tar.gz gzipped again) or a cut archive.
        const compressed = head[0] === 0x1f && head[1] === 0x8b;
        done(
          compressed
            ? notTar()
            : new ArchiveRejectedError(
                'Truncated',
                `the tar data ends after ${head.length} bytes, before its first header is complete; upload it again`,
              ),
        );
        return;
      }
      parser.end();
      done();
    },
  });
}

function notTar(): ArchiveRejectedError {
  return new ArchiveRejectedError(
    'UnsupportedFormat',
    'the compressed data is not a tar archive; upload a .tar.gz (tar -czf), a .tgz or a .zip',
  );
}

function isTarHeader(block: Buffer): boolean {
  // POSIX ustar and GNU tar both write "ustar" at offset 257 (git archive, GitHub and node-tar included).
  return block.subarray(257, 262).toString('latin1') === 'ustar';
}

/** tar's and zlib's errors, as what they mean for the person who made the archive. */
function asRejection(error: unknown): unknown {
  if (error instanceof ArchiveRejectedError || !(error instanceof Error)) return error;
  const code = (error as Error & { code?: unknown }).code;
  if (code === 'Z_BUF_ERROR' || /Truncated input|unexpected end of file/i.test(error.message)) {
    return new ArchiveRejectedError(
      'Truncated',
      `the archive was cut short (${error.message}); upload it again`,
    );
  }
  if (typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('TAR_'))) {
    return new ArchiveRejectedError(
      'Corrupt',
      `the archive is damaged (${error.message}); build and upload it again`,
    );
  }
  return error;
}
