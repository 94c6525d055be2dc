// Test infrastructure: the DBFS tree and streaming upload handles of one workspace.
// Rules from the DBFS API docs (https://learn.microsoft.com/azure/databricks/api/workspace/dbfs/put): inline
// put and each add-block carry at most 1 MiB; larger files stream through create/add-block/close, and a
// handle dies after 10 idle minutes.
import { ApiError } from './ApiError';
import type { IdSequences } from './IdSequences';
import { normalizePath, parentOf } from './normalizePath';

export interface DbfsEntry {
  isDir: boolean;
  modifiedAt: number;
  bytes?: Buffer;
}

export interface DbfsStatus {
  path: string;
  is_dir: boolean;
  file_size: number;
  modification_time: number;
}

export interface SavedDbfsEntry {
  path: string;
  isDir: boolean;
  modifiedAt: number;
  base64?: string;
}

interface StreamHandle {
  path: string;
  overwrite: boolean;
  blocks: Buffer[];
  lastUsedAt: number;
}

const blockLimit = 1024 * 1024;
const handleIdleLimitInMs = 10 * 60 * 1000;

export class DbfsStore {
  private readonly entries = new Map<string, DbfsEntry>();
  private readonly handles = new Map<number, StreamHandle>();

  constructor(
    private readonly ids: IdSequences,
    private readonly now: () => number,
  ) {
    this.entries.set('/', { isDir: true, modifiedAt: now() });
  }

  mkdirs(rawPath: string): void {
    this.ensureDirs(normalizePath(rawPath, 'dbfs'));
  }

  put(rawPath: string, contents: Buffer, overwrite: boolean): void {
    requireBlockSize(contents);
    const path = normalizePath(rawPath, 'dbfs');
    this.checkWritable(path, overwrite);
    this.write(path, contents);
  }

  create(rawPath: string, overwrite: boolean): number {
    const path = normalizePath(rawPath, 'dbfs');
    this.checkWritable(path, overwrite);
    this.dropIdleHandles();
    const handle = this.ids.take('handle');
    this.handles.set(handle, { path, overwrite, blocks: [], lastUsedAt: this.now() });
    return handle;
  }

  addBlock(handle: number, data: Buffer): void {
    const stream = this.requireHandle(handle);
    requireBlockSize(data);
    stream.blocks.push(Buffer.from(data));
    stream.lastUsedAt = this.now();
  }

  close(handle: number): void {
    const stream = this.requireHandle(handle);
    this.handles.delete(handle);
    this.checkWritable(stream.path, stream.overwrite);
    this.write(stream.path, Buffer.concat(stream.blocks));
  }

  seed(rawPath: string, bytes: Buffer): void {
    const path = normalizePath(rawPath, 'dbfs');
    this.checkWritable(path, true);
    this.write(path, bytes);
  }

  getStatus(rawPath: string): DbfsStatus {
    const path = normalizePath(rawPath, 'dbfs');
    const entry = this.entries.get(path);
    if (!entry) throw ApiError.doesNotExist(`No file or directory exists on path ${path}.`);
    return {
      path,
      is_dir: entry.isDir,
      file_size: entry.bytes?.length ?? 0,
      modification_time: entry.modifiedAt,
    };
  }

  delete(rawPath: string, recursive: boolean): void {
    const path = normalizePath(rawPath, 'dbfs');
    const entry = this.entries.get(path);
    if (!entry) return;
    if (path === '/') throw new ApiError(403, 'PERMISSION_DENIED', 'Cannot delete the DBFS root');
    const descendants = [...this.entries.keys()].filter((other) => other.startsWith(path + '/'));
    // "If the file or directory is non-empty and recursive is set to false, this call throws an
    // exception with IO_ERROR." (https://docs.databricks.com/api/workspace/dbfs/delete)
    if (entry.isDir && descendants.length > 0 && !recursive) {
      throw new ApiError(400, 'IO_ERROR', `${path} is a non-empty directory; delete it recursively`);
    }
    for (const other of [path, ...descendants]) this.entries.delete(other);
  }

  read(rawPath: string): Buffer | undefined {
    const bytes = this.entries.get(normalizePath(rawPath, 'dbfs'))?.bytes;
    return bytes ? Buffer.from(bytes) : undefined;
  }

  files(): [string, Buffer][] {
    return [...this.entries]
      .flatMap(([path, entry]): [string, Buffer][] => (entry.bytes ? [[path, entry.bytes]] : []))
      .sort(([a], [b]) => a.localeCompare(b));
  }

  openHandles(): number {
    this.dropIdleHandles();
    return this.handles.size;
  }

  /** Handles are not saved: a stream never outlives the run that opened it. */
  toJSON(): SavedDbfsEntry[] {
    return [...this.entries]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([path, entry]) => ({
        path,
        isDir: entry.isDir,
        modifiedAt: entry.modifiedAt,
        ...(entry.bytes ? { base64: entry.bytes.toString('base64') } : {}),
      }));
  }

  restore(saved: SavedDbfsEntry[]): void {
    this.entries.clear();
    this.handles.clear();
    for (const { path, base64, ...entry } of saved) {
      this.entries.set(path, {
        ...entry,
        ...(base64 !== undefined ? { bytes: Buffer.from(base64, 'base64') } : {}),
      });
    }
    if (!this.entries.has('/')) this.entries.set('/', { isDir: true, modifiedAt: this.now() });
  }

  private checkWritable(path: string, overwrite: boolean): void {
    const existing = this.entries.get(path);
    if (existing?.isDir) throw ApiError.alreadyExists(`A directory already exists at ${path}`);
    if (existing && !overwrite)
      throw ApiError.alreadyExists(`A file or directory already exists at the input path ${path}.`);
    for (let dir = parentOf(path); dir !== '/'; dir = parentOf(dir)) {
      if (this.entries.get(dir)?.isDir === false)
        throw ApiError.alreadyExists(`${dir} is a file, not a directory`);
    }
  }

  private write(path: string, bytes: Buffer): void {
    this.ensureDirs(parentOf(path));
    this.entries.set(path, { isDir: false, modifiedAt: this.now(), bytes: Buffer.from(bytes) });
  }

  private ensureDirs(path: string): void {
    const missing: string[] = [];
    for (let current = path; !this.entries.has(current); current = parentOf(current)) missing.push(current);
    const blocking = [path, ...missing.map(parentOf)].find((dir) => this.entries.get(dir)?.isDir === false);
    if (blocking) throw ApiError.alreadyExists(`${blocking} is a file, not a directory`);
    for (const dir of missing.reverse()) this.entries.set(dir, { isDir: true, modifiedAt: this.now() });
  }

  private requireHandle(handle: number): StreamHandle {
    this.dropIdleHandles();
    const stream = this.handles.get(handle);
    if (!stream) throw ApiError.doesNotExist(`The handle ${handle} does not exist (it may have expired).`);
    return stream;
  }

  private dropIdleHandles(): void {
    const now = this.now();
    for (const [handle, stream] of this.handles) {
      if (now - stream.lastUsedAt >= handleIdleLimitInMs) this.handles.delete(handle);
    }
  }
}

function requireBlockSize(bytes: Buffer): void {
  if (bytes.length > blockLimit) {
    throw new ApiError(
      400,
      'MAX_BLOCK_SIZE_EXCEEDED',
      `The block of data (${bytes.length} bytes) exceeds the maximum of ${blockLimit} bytes.`,
    );
  }
}
