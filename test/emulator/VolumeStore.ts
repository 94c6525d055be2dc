// Test infrastructure: the Unity Catalog volumes of one workspace, as the Files API 2.0 serves them
// (https://docs.databricks.com/api/azure/workspace/files). Paths are absolute,
// `/Volumes/<catalog>/<schema>/<volume>/<path>`; a volume itself is a Unity Catalog object that exists before any
// file call (tests and the sandbox add it), and a path in a volume that does not exist is 404 NOT_FOUND.
// - upload (PUT /fs/files{path}): "The contents of the resulting file will be exactly the bytes sent"; with
//   `overwrite` "true or unspecified, an existing file will be overwritten. If false, an error will be returned"
//   (409 ALREADY_EXISTS here). Volumes sit on object storage, so missing parent directories come with the file.
// - createDirectory (PUT /fs/directories{path}) is `mkdir -p` and idempotent; deleteDirectory removes only an
//   empty directory; list pages by `page_size` / `page_token`.
import { ApiError } from './ApiError';

export interface VolumeFile {
  bytes: Buffer;
  /** Milliseconds since the epoch, for `last-modified`. */
  modified: number;
}

export interface DirectoryEntry {
  path: string;
  is_directory: boolean;
  file_size?: number;
  last_modified?: number;
  name: string;
}

export interface SavedVolumes {
  volumes: string[];
  directories: string[];
  files: { path: string; base64: string; modified: number }[];
}

const VOLUME_ROOT = /^\/Volumes\/[^/]+\/[^/]+\/[^/]+$/;

export class VolumeStore {
  private readonly volumes = new Set<string>();
  private readonly directories = new Set<string>();
  private readonly fileMap = new Map<string, VolumeFile>();

  constructor(private readonly now: () => number) {}

  /** A volume created in Unity Catalog (outside the Files API): `/Volumes/<catalog>/<schema>/<volume>`. */
  addVolume(root: string): void {
    if (!VOLUME_ROOT.test(root)) throw new Error(`not a volume root: ${root}`);
    this.volumes.add(root);
  }

  upload(path: string, bytes: Buffer, overwrite: boolean): void {
    this.checkPath(path, 'file');
    if (this.directories.has(path)) throw conflict(`${path} is a directory`);
    if (this.fileMap.has(path) && !overwrite) throw conflict(`The file ${path} already exists.`);
    for (const parent of this.parentsOf(path)) {
      if (this.fileMap.has(parent)) throw conflict(`${parent} is a file, not a directory`);
      this.directories.add(parent);
    }
    this.fileMap.set(path, { bytes: Buffer.from(bytes), modified: this.now() });
  }

  file(path: string): VolumeFile {
    this.checkPath(path, 'file');
    const file = this.fileMap.get(path);
    if (!file) throw notFound(`The file ${path} does not exist.`);
    return file;
  }

  deleteFile(path: string): void {
    this.file(path);
    this.fileMap.delete(path);
  }

  createDirectory(path: string): void {
    this.checkPath(path, 'directory');
    if (this.fileMap.has(path)) throw conflict(`${path} is a file`);
    if (this.volumes.has(path)) return;
    for (const parent of [...this.parentsOf(path), path]) this.directories.add(parent);
  }

  /** HEAD /fs/directories: throws 404 when the path is not a directory (a volume root is one). */
  directory(path: string): void {
    this.checkPath(path, 'directory');
    if (!this.volumes.has(path) && !this.directories.has(path))
      throw notFound(`The directory ${path} does not exist.`);
  }

  list(
    path: string,
    pageSize: number | undefined,
    pageToken: string | undefined,
  ): {
    contents: DirectoryEntry[];
    next_page_token?: string;
  } {
    this.directory(path);
    const prefix = `${path}/`;
    const children = [
      ...[...this.directories]
        .filter((d) => isChild(d, prefix))
        .map((d) => ({ path: d, is_directory: true })),
      ...[...this.fileMap]
        .filter(([f]) => isChild(f, prefix))
        .map(([f, file]) => ({
          path: f,
          is_directory: false,
          file_size: file.bytes.length,
          last_modified: file.modified,
        })),
    ]
      .map((entry) => ({ ...entry, name: entry.path.slice(prefix.length) }))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
    const start = pageToken === undefined ? 0 : Number(Buffer.from(pageToken, 'base64url').toString());
    const size = pageSize ?? 1000;
    const page = children.slice(start, start + size);
    const more = start + size < children.length;
    return {
      contents: page,
      ...(more ? { next_page_token: Buffer.from(String(start + size)).toString('base64url') } : {}),
    };
  }

  deleteDirectory(path: string): void {
    this.directory(path);
    if (this.volumes.has(path)) throw invalid(`${path} is a volume; volumes are deleted in Unity Catalog`);
    const prefix = `${path}/`;
    if ([...this.directories, ...this.fileMap.keys()].some((p) => p.startsWith(prefix)))
      throw conflict(`The directory ${path} is not empty.`);
    this.directories.delete(path);
  }

  files(): [string, Buffer][] {
    return [...this.fileMap].map(([path, file]) => [path, file.bytes]);
  }

  toJSON(): SavedVolumes {
    return {
      volumes: [...this.volumes],
      directories: [...this.directories],
      files: [...this.fileMap].map(([path, f]) => ({
        path,
        base64: f.bytes.toString('base64'),
        modified: f.modified,
      })),
    };
  }

  restore(saved: SavedVolumes | undefined): void {
    this.volumes.clear();
    this.directories.clear();
    this.fileMap.clear();
    for (const v of saved?.volumes ?? []) this.volumes.add(v);
    for (const d of saved?.directories ?? []) this.directories.add(d);
    for (const f of saved?.files ?? [])
      this.fileMap.set(f.path, { bytes: Buffer.from(f.base64, 'base64'), modified: f.modified });
  }

  /** The path must be absolute, clean, and inside a volume that exists. */
  private checkPath(path: string, kind: 'file' | 'directory'): void {
    const segments = path.split('/').slice(1);
    if (!path.startsWith('/Volumes/') || segments.some((s) => s === '' || s === '.' || s === '..'))
      throw invalid(`${path} is not an absolute /Volumes/<catalog>/<schema>/<volume>/... path`);
    const root = `/${segments.slice(0, 4).join('/')}`;
    if (segments.length < 4 || !this.volumes.has(root))
      throw notFound(`The volume of ${path} does not exist.`);
    if (kind === 'file' && segments.length < 5) throw invalid(`${path} is a volume, not a file`);
  }

  /** Directories between the volume root (excluded) and `path` (excluded). */
  private parentsOf(path: string): string[] {
    const segments = path.split('/');
    const out: string[] = [];
    for (let i = 6; i < segments.length; i++) out.push(segments.slice(0, i).join('/'));
    return out;
  }
}

function isChild(path: string, prefix: string): boolean {
  return path.startsWith(prefix) && !path.slice(prefix.length).includes('/');
}

function notFound(message: string): ApiError {
  return new ApiError(404, 'NOT_FOUND', message);
}

function conflict(message: string): ApiError {
  return new ApiError(409, 'ALREADY_EXISTS', message);
}

function invalid(message: string): ApiError {
  return ApiError.invalidParameter(message);
}
