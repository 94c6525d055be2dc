// I/O: where an archive's entries land. One fresh folder; every entry counted against the limits, every path
// claimed once, every byte counted as it is written. The tar and zip readers write only through here, so
// both formats obey the same rules.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MAX_WORKSPACE_IMPORT_BYTES } from '../manifest/Bundle';
import { ArchiveRejectedError } from './ArchiveRejectedError';
import { safeEntryPath } from './safeEntryPath';

export interface ArchiveLimits {
  /** Entries of any kind (files and folders). Default 20,000. */
  maxEntries?: number;
  /** Bytes of all files once unpacked. Default 1 GiB. */
  maxExpandedBytes?: number;
  /** Bytes of one file once unpacked. Default DEFAULT_MAX_ENTRY_BYTES (never above maxExpandedBytes). */
  maxEntryBytes?: number;
  /**
   * Bytes unpacked per byte of archive, at most (default 100); archives under 1 MiB may unpack to
   * MIN_RATIO_ALLOWANCE_BYTES whatever their ratio. Bounds a bomb by the size of its own upload.
   */
  maxExpansionRatio?: number;
}

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
/**
 * The largest file a bundle can deploy, so the largest entry worth unpacking: the bundle validation's own
 * limit: notebooks, workspace files and workspace init scripts go through workspace/import, whose `content`
 * is limited to 10 MB of base64 (a 7.5 MB file) for every format (Workspace API reference, "Import a workspace
 * object"); DBFS init scripts are streamed (dbfs/create + add-block) without an API limit, but an init script is a
 * shell script, never near that. Follows the validation: if the limit there moves, this moves with it.
 */
export const DEFAULT_MAX_ENTRY_BYTES = MAX_WORKSPACE_IMPORT_BYTES;
/**
 * Bundles are text (source, JSON, shell); gzip and deflate shrink such text 3-10 times, repetitive JSON
 * up to ~30 times. Deflate's own ceiling is 1032:1, which only crafted data reaches: 100:1 leaves bundles a
 * wide margin and cuts a bomb's disk use tenfold below that ceiling.
 */
export const DEFAULT_MAX_EXPANSION_RATIO = 100;
/** Small archives (a handful of files in a few KB) compress well and still unpack to little. */
export const MIN_RATIO_ALLOWANCE_BYTES = 16 * MIB;
const KEEP_OUT = 'keep large data out of the bundle (put it in DBFS, a volume or cloud storage)';

export class ExtractionSink {
  readonly maxEntries: number;
  readonly maxExpandedBytes: number;
  readonly maxEntryBytes: number;
  files = 0;
  bytes = 0;
  private entries = 0;
  private readonly kinds = new Map<string, 'file' | 'folder'>();

  /** Why maxExpandedBytes is what it is, for the refusal message. */
  private readonly totalLimitReason: string;

  /** `archiveBytes`: the archive's own size, which the expansion ratio applies to. */
  constructor(
    private readonly root: string,
    limits: ArchiveLimits,
    archiveBytes: number,
  ) {
    this.maxEntries = positive('maxEntries', limits.maxEntries ?? 20_000);
    const absolute = positive('maxExpandedBytes', limits.maxExpandedBytes ?? GIB);
    const ratio = positive('maxExpansionRatio', limits.maxExpansionRatio ?? DEFAULT_MAX_EXPANSION_RATIO);
    const byRatio = Math.max(archiveBytes * ratio, MIN_RATIO_ALLOWANCE_BYTES);
    this.maxExpandedBytes = Math.min(absolute, byRatio);
    const allowance =
      byRatio > archiveBytes * ratio
        ? `the least any archive may unpack to (${MIN_RATIO_ALLOWANCE_BYTES} bytes)`
        : `${ratio} times the archive's ${archiveBytes} bytes`;
    this.totalLimitReason = byRatio < absolute ? `, ${allowance}` : '';
    this.maxEntryBytes = Math.min(
      positive('maxEntryBytes', limits.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES),
      this.maxExpandedBytes,
    );
  }

  /** A zip states its entry count up front: refuse before reading any of them. */
  expectEntries(count: number): void {
    if (count > this.maxEntries) throw this.tooMany(`the archive lists ${count} entries`);
  }

  /** Counts one entry of any kind, before anything else is done with it. */
  countEntry(name: string): void {
    this.entries += 1;
    if (this.entries > this.maxEntries) throw this.tooMany(`entry ${JSON.stringify(name)} is one too many`);
  }

  async folder(name: string): Promise<void> {
    const path = safeEntryPath(name);
    if (path === '') return;
    this.claim(path, 'folder');
    await mkdir(this.target(path), { recursive: true }).catch((error: unknown) => {
      throw nameRejection(error, name);
    });
  }

  /**
   * Writes one file. `declaredSize` is what the archive's header says; the bytes are counted as they arrive
   * all the same, because a header can lie (a zip bomb declares little and inflates to much).
   * `open` is called only once the entry passed every check, so a refused entry is never decompressed.
   */
  async file(name: string, declaredSize: number, open: () => Promise<AsyncIterable<Buffer>>): Promise<void> {
    const path = safeEntryPath(name);
    const shown = JSON.stringify(name);
    if (path === '') {
      throw new ArchiveRejectedError('InvalidPath', `entry ${shown} is a file without a name`, name);
    }
    this.claim(path, 'file');
    this.checkSize(name, declaredSize);
    const target = this.target(path);
    await mkdir(dirname(target), { recursive: true }).catch((error: unknown) => {
      throw nameRejection(error, name);
    });
    let written = 0;
    const count = (chunk: Buffer): void => {
      written += chunk.length;
      if (written > declaredSize) {
        throw new ArchiveRejectedError(
          'Corrupt',
          `entry ${shown} holds more data than the ${declaredSize} bytes its header declares; the archive is damaged or crafted, build it again`,
          name,
        );
      }
      this.checkSize(name, written);
    };
    // 'wx': the folder is fresh and every path is claimed once, so an existing file here is a bug, never a
    // file to overwrite.
    await pipeline(counted(await open(), count), createWriteStream(target, { flags: 'wx' })).catch(
      (error: unknown) => {
        throw nameRejection(error, name);
      },
    );
    if (written < declaredSize) {
      throw new ArchiveRejectedError(
        'Truncated',
        `entry ${shown} ends after ${written} of its ${declaredSize} bytes: the archive was cut short; upload it again`,
        name,
      );
    }
    this.files += 1;
    this.bytes += written;
  }

  private checkSize(name: string, size: number): void {
    const shown = JSON.stringify(name);
    if (size > this.maxEntryBytes) {
      throw new ArchiveRejectedError(
        'TooLarge',
        `entry ${shown} unpacks to more than ${this.maxEntryBytes} bytes, the limit for one file` +
          `${this.maxEntryBytes === this.maxExpandedBytes ? this.totalLimitReason : ' (the largest file a bundle deploys)'}; ${KEEP_OUT}`,
        name,
      );
    }
    if (this.bytes + size > this.maxExpandedBytes) {
      throw new ArchiveRejectedError(
        'TooLarge',
        `the archive unpacks to more than ${this.maxExpandedBytes} bytes${this.totalLimitReason} (reached at entry ${shown}); ${KEEP_OUT}`,
        name,
      );
    }
  }

  /** One name, one thing: a second file by the same path, or a file where a folder must be, is refused. */
  private claim(path: string, kind: 'file' | 'folder'): void {
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      if (this.kinds.get(parent) === 'file') {
        throw new ArchiveRejectedError(
          'Duplicate',
          `entry "${path}" needs "${parent}" to be a folder, but the archive also has a file by that name; rename one of them`,
          path,
        );
      }
      this.kinds.set(parent, 'folder');
    }
    const before = this.kinds.get(path);
    if (before !== undefined && (before === 'file' || kind === 'file')) {
      throw new ArchiveRejectedError(
        'Duplicate',
        `"${path}" appears more than once in the archive; a bundle path names one file (build the archive again from one folder)`,
        path,
      );
    }
    this.kinds.set(path, kind);
  }

  private target(path: string): string {
    const target = join(this.root, ...path.split('/'));
    // safeEntryPath already refused every escape; this guards the guard.
    if (!target.startsWith(this.root + sep))
      throw new Error(`extraction: ${path} resolves outside ${this.root}`);
    return target;
  }

  private tooMany(what: string): ArchiveRejectedError {
    return new ArchiveRejectedError(
      'TooManyEntries',
      `${what}; at most ${this.maxEntries} files and folders are unpacked. Leave generated or vendored files out of the bundle`,
    );
  }
}

/** A name the file system cannot hold is the archive's problem, not a reason to retry. */
function nameRejection(error: unknown, name: string): unknown {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== 'ENAMETOOLONG') return error;
  return new ArchiveRejectedError(
    'InvalidPath',
    `entry ${JSON.stringify(name)} has a name too long for the file system (255 bytes per segment); shorten it`,
    name,
  );
}

async function* counted(
  source: AsyncIterable<Buffer>,
  count: (chunk: Buffer) => void,
): AsyncIterable<Buffer> {
  for await (const chunk of source) {
    count(chunk);
    yield chunk;
  }
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`extraction limit ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
