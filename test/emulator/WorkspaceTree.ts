// Test infrastructure: the workspace file tree (folders, notebooks, workspace files) of one workspace.
// Rules from the workspace API docs
// (https://learn.microsoft.com/azure/databricks/api/workspace/workspace/import): the parent folder must
// exist, an existing object needs overwrite, `content` stops at 10 MB in every format.
import { ApiError } from './ApiError';
import type { IdSequences } from './IdSequences';
import { normalizePath, parentOf } from './normalizePath';
import {
  buildArchive,
  cellsOf,
  dbcEntry,
  exportNotebook,
  notebookOfDbcEntry,
  readArchive,
  sourceNotebooks,
} from './notebookFormats';
import type { ArchiveEntry, ExportFormat } from './notebookFormats';

export type ObjectType = 'DIRECTORY' | 'NOTEBOOK' | 'FILE';
export type NotebookLanguage = 'PYTHON' | 'SQL' | 'SCALA' | 'R';
export type ImportFormat = 'SOURCE' | 'JUPYTER' | 'AUTO' | 'DBC';

export interface WorkspaceObject {
  type: ObjectType;
  objectId: number;
  modifiedAt: number;
  language?: NotebookLanguage;
  bytes?: Buffer;
}

export interface ObjectStatus {
  object_type: ObjectType;
  path: string;
  object_id: number;
  language?: NotebookLanguage;
  modified_at: number;
  size?: number;
}

export interface ImportRequest {
  path: string;
  format: ImportFormat;
  language?: NotebookLanguage;
  content: Buffer;
  /** Characters of `content` as sent (base64); the import limit applies to them. */
  base64Length?: number;
  overwrite: boolean;
}

/**
 * A test switch on how this workspace takes SOURCE directory imports: `refuse` answers them 400
 * INVALID_PARAMETER_VALUE (a workspace or API version without them); `asFiles` imports every entry as a
 * workspace file, so the folder holds `etl.py` (FILE) where `etl` (NOTEBOOK) was meant.
 */
export type DirectoryImportFault = 'refuse' | 'asFiles';

export interface SavedWorkspaceObject {
  path: string;
  type: ObjectType;
  objectId: number;
  modifiedAt: number;
  language?: NotebookLanguage;
  base64?: string;
}

// "content: The base64-encoded content. This has a limit of 10 MB. If the limit (10MB) is exceeded,
// exception with error code MAX_NOTEBOOK_SIZE_EXCEEDED is thrown." The limit is on the base64 sent (a file of
// 7.5 MB is 10 MB of base64), in every format, notebooks, workspace files and directory zips alike
// (https://docs.databricks.com/api/workspace/workspace/import). The reference does not say MB or MiB: the
// emulator takes the stricter reading, 10,000,000 characters.
const importContentLimit = 10_000_000;
const alwaysPresent = ['/', '/Shared', '/Users'];

// AUTO recognises exported source notebooks by extension and first line, as the real import does.
const notebookHeaders: Record<string, { language: NotebookLanguage; header: string }> = Object.fromEntries(
  (Object.keys(sourceNotebooks) as NotebookLanguage[]).map((language) => [
    sourceNotebooks[language].extension,
    { language, header: sourceNotebooks[language].header },
  ]),
);

export class WorkspaceTree {
  private readonly objects = new Map<string, WorkspaceObject>();
  /** Test switch (DirectoryImportFault); undefined: directory imports work as the reference says. */
  directoryImportFault: DirectoryImportFault | undefined;

  constructor(
    private readonly ids: IdSequences,
    private readonly now: () => number,
  ) {
    for (const path of alwaysPresent) this.objects.set(path, this.directory());
  }

  mkdirs(rawPath: string): void {
    const path = normalizePath(rawPath, 'workspace');
    const missing: string[] = [];
    for (let current = path; ; current = parentOf(current)) {
      const existing = this.objects.get(current);
      if (existing && existing.type !== 'DIRECTORY') {
        throw ApiError.alreadyExists(
          `Cannot create directory ${path}: ${current} exists and is not a directory`,
        );
      }
      if (existing) break;
      missing.push(current);
    }
    for (const dir of missing.reverse()) this.objects.set(dir, this.directory());
  }

  import(request: ImportRequest): void {
    const encoded = request.base64Length ?? Math.ceil(request.content.length / 3) * 4;
    if (encoded > importContentLimit) {
      throw new ApiError(
        400,
        'MAX_NOTEBOOK_SIZE_EXCEEDED',
        `The imported content is ${encoded} characters of base64 (${request.content.length} bytes), above the max size (${importContentLimit})`,
      );
    }
    // "SOURCE: The notebook or directory is imported as source code" (a zip when `language` is absent);
    // "DBC: The notebook is imported in archive format. Required for directories."
    if (request.format === 'DBC' || (request.format === 'SOURCE' && request.language === undefined)) {
      this.importDirectory(request);
      return;
    }
    const { path, type, language } = this.resolveImport(request);
    this.requireParent(path);
    const existing = this.objects.get(path);
    if (existing && (!request.overwrite || existing.type === 'DIRECTORY')) {
      throw ApiError.alreadyExists(`Path (${path}) already exists.`);
    }
    this.put(path, type, request.content, language);
  }

  getStatus(rawPath: string): ObjectStatus {
    const path = normalizePath(rawPath, 'workspace');
    return statusOf(path, this.require(path));
  }

  /**
   * `notebooksModifiedAfter` (UTC ms) leaves out notebooks modified at or before it; folders and files stay
   * ("notebooks_modified_after: UTC timestamp in milliseconds",
   * https://docs.databricks.com/api/workspace/workspace/list).
   */
  list(rawPath: string, notebooksModifiedAfter?: number): ObjectStatus[] {
    const path = normalizePath(rawPath, 'workspace');
    const dir = this.require(path);
    const modified = ([, object]: [string, WorkspaceObject]): boolean =>
      notebooksModifiedAfter === undefined ||
      object.type !== 'NOTEBOOK' ||
      object.modifiedAt > notebooksModifiedAfter;
    if (dir.type !== 'DIRECTORY') return modified([path, dir]) ? [statusOf(path, dir)] : [];
    return [...this.objects]
      .filter(([child]) => child !== '/' && parentOf(child) === path)
      .filter(modified)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([child, object]) => statusOf(child, object));
  }

  delete(rawPath: string, recursive: boolean): void {
    const path = normalizePath(rawPath, 'workspace');
    const object = this.require(path);
    if (alwaysPresent.includes(path)) {
      throw new ApiError(403, 'PERMISSION_DENIED', `Cannot delete the system folder ${path}`);
    }
    const descendants = [...this.objects.keys()].filter((other) => other.startsWith(path + '/'));
    if (object.type === 'DIRECTORY' && descendants.length > 0 && !recursive) {
      throw new ApiError(400, 'DIRECTORY_NOT_EMPTY', `Folder (${path}) is not empty`);
    }
    for (const other of [path, ...descendants]) this.objects.delete(other);
  }

  /**
   * Export in one of the reference's formats; a folder only as SOURCE (a zip of its notebooks and files) or
   * DBC (its notebooks), a workspace file as its bytes. Exports stop at 10 MB like imports ("If the exported
   * data would exceed size limit, this call returns MAX_NOTEBOOK_SIZE_EXCEEDED").
   */
  export(rawPath: string, format: ExportFormat = 'SOURCE'): { content: Buffer; fileType: string } {
    const path = normalizePath(rawPath, 'workspace');
    const object = this.require(path);
    const name = path.slice(path.lastIndexOf('/') + 1) || 'root';
    const result =
      object.type === 'DIRECTORY'
        ? this.exportFolder(path, name, format)
        : object.type === 'FILE'
          ? exportFile(path, name, object, format)
          : exportNotebook(name, object.language ?? 'PYTHON', object.bytes ?? Buffer.alloc(0), format);
    if (result.content.length > importContentLimit) {
      throw new ApiError(
        400,
        'MAX_NOTEBOOK_SIZE_EXCEEDED',
        `Exported size (${result.content.length} bytes) exceeds the max size (${importContentLimit} bytes)`,
      );
    }
    return result;
  }

  find(rawPath: string): WorkspaceObject | undefined {
    return this.objects.get(normalizePath(rawPath, 'workspace'));
  }

  entries(): [string, WorkspaceObject][] {
    return [...this.objects].sort(([a], [b]) => a.localeCompare(b));
  }

  toJSON(): SavedWorkspaceObject[] {
    return this.entries().map(([path, object]) => ({
      path,
      type: object.type,
      objectId: object.objectId,
      modifiedAt: object.modifiedAt,
      ...(object.language ? { language: object.language } : {}),
      ...(object.bytes ? { base64: object.bytes.toString('base64') } : {}),
    }));
  }

  restore(saved: SavedWorkspaceObject[]): void {
    this.objects.clear();
    for (const { path, base64, ...object } of saved) {
      this.objects.set(path, {
        ...object,
        ...(base64 !== undefined ? { bytes: Buffer.from(base64, 'base64') } : {}),
      });
    }
    for (const path of alwaysPresent) if (!this.objects.has(path)) this.objects.set(path, this.directory());
  }

  private resolveImport(request: ImportRequest): {
    path: string;
    type: ObjectType;
    language?: NotebookLanguage;
  } {
    const path = normalizePath(request.path, 'workspace');
    switch (request.format) {
      case 'SOURCE':
        if (!request.language) throw ApiError.invalidParameter('language is required when format is SOURCE');
        return { path, type: 'NOTEBOOK', language: request.language };
      case 'JUPYTER':
        requireNotebookJson(request.content);
        return {
          path: stripSuffix(path, '.ipynb'),
          type: 'NOTEBOOK',
          language: 'PYTHON',
        };
      case 'AUTO': {
        if (path.toLowerCase().endsWith('.ipynb'))
          return this.resolveImport({ ...request, format: 'JUPYTER' });
        const extension = /\.[^./]+$/.exec(path)?.[0] ?? '';
        const notebook = notebookHeaders[extension.toLowerCase()];
        if (notebook && request.content.subarray(0, 64).toString('utf8').startsWith(notebook.header)) {
          const stripped = path.slice(0, -extension.length);
          return { path: stripped, type: 'NOTEBOOK', language: notebook.language };
        }
        return { path, type: 'FILE' };
      }
      case 'DBC':
        throw ApiError.invalidParameter('A DBC archive imports as a whole, not as one object');
    }
  }

  // "Zip files within directories are not supported"; "For DBC format, overwrite is not supported since it
  // may contain a directory" (https://docs.databricks.com/api/workspace/workspace/import). A DBC of one
  // notebook imports that notebook at `path`; otherwise the archive's one top folder, if it has one, becomes
  // `path`.
  private importDirectory(request: ImportRequest): void {
    const path = normalizePath(request.path, 'workspace');
    if (request.format === 'DBC' && request.overwrite) {
      throw ApiError.invalidParameter(
        'Overwrite is not supported for the DBC format: it may contain a directory.',
      );
    }
    if (request.format === 'SOURCE' && this.directoryImportFault === 'refuse') {
      throw ApiError.invalidParameter(
        'Importing a directory in SOURCE format is not supported (emulator fault: directoryImportFault)',
      );
    }
    const entries = readArchive(request.content);
    if (entries.some((entry) => entry.path.toLowerCase().endsWith('.zip'))) {
      throw ApiError.invalidParameter('Zip files within directories are not supported.');
    }
    this.requireParent(path);
    const existing = this.objects.get(path);
    if (existing && (!request.overwrite || existing.type !== 'DIRECTORY')) {
      throw ApiError.alreadyExists(`Path (${path}) already exists.`);
    }
    const objects = entries.map((entry) =>
      request.format === 'DBC' ? dbcObject(entry) : this.sourceObject(entry),
    );
    if (request.format === 'DBC' && objects.length === 1 && objects[0] && !objects[0].path.includes('/')) {
      this.put(path, 'NOTEBOOK', objects[0].bytes, objects[0].language);
      return;
    }
    const top = /^[^/]+\//.exec(objects[0]?.path ?? '')?.[0];
    const strip =
      top !== undefined && objects.every((object) => object.path.startsWith(top)) ? top.length : 0;
    this.mkdirs(path);
    for (const object of objects) {
      const target = normalizePath(`${path}/${object.path.slice(strip)}`, 'workspace');
      this.mkdirs(parentOf(target));
      this.put(target, object.type, object.bytes, object.language);
    }
  }

  private sourceObject(entry: ArchiveEntry): ArchivedObject {
    if (this.directoryImportFault === 'asFiles') return { path: entry.path, type: 'FILE', bytes: entry.data };
    const { path, type, language } = this.resolveImport({
      path: `/${entry.path}`,
      format: 'AUTO',
      content: entry.data,
      overwrite: false,
    });
    return { path: path.slice(1), type, bytes: entry.data, ...(language ? { language } : {}) };
  }

  private exportFolder(
    path: string,
    name: string,
    format: ExportFormat,
  ): { content: Buffer; fileType: string } {
    if (format !== 'SOURCE' && format !== 'DBC' && format !== 'AUTO') {
      throw ApiError.invalidParameter(
        `The folder ${path} exports only as SOURCE (a zip) or DBC, not ${format}.`,
      );
    }
    const entries: ArchiveEntry[] = [];
    for (const [child, object] of this.entries()) {
      if (!child.startsWith(path === '/' ? '/' : path + '/') || !object.bytes) continue;
      const relative = `${name}/${child.slice(path === '/' ? 1 : path.length + 1)}`;
      const language = object.language ?? 'PYTHON';
      if (format === 'DBC') {
        if (object.type === 'NOTEBOOK')
          entries.push(dbcEntry(relative, language, cellsOf(object.bytes, language)));
      } else if (object.type === 'NOTEBOOK') {
        const source = exportNotebook(relative, language, object.bytes, 'SOURCE').content;
        entries.push({ path: relative + sourceNotebooks[language].extension, data: source });
      } else {
        entries.push({ path: relative, data: Buffer.from(object.bytes) });
      }
    }
    return { content: buildArchive(entries), fileType: format === 'DBC' ? 'dbc' : 'zip' };
  }

  private requireParent(path: string): void {
    const parent = this.objects.get(parentOf(path));
    if (!parent || parent.type !== 'DIRECTORY') {
      throw ApiError.doesNotExist(`The parent folder (${parentOf(path)}) does not exist.`);
    }
  }

  private put(path: string, type: ObjectType, content: Buffer, language: NotebookLanguage | undefined): void {
    const existing = this.objects.get(path);
    this.objects.set(path, {
      type,
      objectId: existing?.type === type ? existing.objectId : this.ids.take('object'),
      modifiedAt: this.now(),
      ...(language ? { language } : {}),
      bytes: Buffer.from(content),
    });
  }

  private require(path: string): WorkspaceObject {
    const object = this.objects.get(path);
    if (!object) throw ApiError.doesNotExist(`Path (${path}) doesn't exist.`);
    return object;
  }

  private directory(): WorkspaceObject {
    return { type: 'DIRECTORY', objectId: this.ids.take('object'), modifiedAt: this.now() };
  }
}

interface ArchivedObject {
  path: string;
  type: ObjectType;
  language?: NotebookLanguage;
  bytes: Buffer;
}

function dbcObject(entry: ArchiveEntry): ArchivedObject {
  const notebook = notebookOfDbcEntry(entry);
  return { path: notebook.path, type: 'NOTEBOOK', language: notebook.language, bytes: notebook.source };
}

function exportFile(
  path: string,
  name: string,
  object: WorkspaceObject,
  format: ExportFormat,
): { content: Buffer; fileType: string } {
  if (format !== 'SOURCE' && format !== 'AUTO') {
    throw ApiError.invalidParameter(
      `The workspace file ${path} exports only as SOURCE or AUTO, not ${format}.`,
    );
  }
  const dot = name.lastIndexOf('.');
  return {
    content: Buffer.from(object.bytes ?? Buffer.alloc(0)),
    fileType: dot > 0 ? name.slice(dot + 1) : '',
  };
}

function statusOf(path: string, object: WorkspaceObject): ObjectStatus {
  return {
    object_type: object.type,
    path,
    object_id: object.objectId,
    ...(object.language ? { language: object.language } : {}),
    modified_at: object.modifiedAt,
    ...(object.type === 'FILE' ? { size: object.bytes?.length ?? 0 } : {}),
  };
}

function stripSuffix(path: string, suffix: string): string {
  return path.toLowerCase().endsWith(suffix) ? path.slice(0, -suffix.length) : path;
}

function requireNotebookJson(content: Buffer): void {
  try {
    const parsed: unknown = JSON.parse(content.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return;
  } catch {
    // fall through to the same error as a non-object document
  }
  throw ApiError.invalidParameter('The content is not a valid Jupyter notebook (expected a JSON object)');
}
