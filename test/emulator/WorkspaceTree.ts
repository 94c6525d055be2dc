// Test infrastructure: the workspace file tree (folders, notebooks, workspace files) of one workspace.
// Rules from the workspace API docs
// (https://learn.microsoft.com/azure/databricks/api/workspace/workspace/import): the parent folder must
// exist, an existing object needs overwrite, `content` stops at 10 MB in every format.
import { ApiError } from './ApiError';
import type { IdSequences } from './IdSequences';
import { normalizePath, parentOf } from './normalizePath';

export type ObjectType = 'DIRECTORY' | 'NOTEBOOK' | 'FILE';
export type NotebookLanguage = 'PYTHON' | 'SQL' | 'SCALA' | 'R';
export type ImportFormat = 'SOURCE' | 'JUPYTER' | 'AUTO';

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
  overwrite: boolean;
}

export interface SavedWorkspaceObject {
  path: string;
  type: ObjectType;
  objectId: number;
  modifiedAt: number;
  language?: NotebookLanguage;
  base64?: string;
}

const MiB = 1024 * 1024;
// "content: The base64-encoded content. This has a limit of 10 MB. If the limit (10MB) is exceeded,
// exception with error code MAX_NOTEBOOK_SIZE_EXCEEDED is thrown." The reference sets no other limit per
// format, so notebooks of every format and workspace files stop here alike
// (https://docs.databricks.com/api/workspace/workspace/import).
const importContentLimit = 10 * MiB;
const alwaysPresent = ['/', '/Shared', '/Users'];

// AUTO recognises exported source notebooks by extension and first line, as the real import does.
const notebookHeaders: Record<string, { language: NotebookLanguage; header: string }> = {
  '.py': { language: 'PYTHON', header: '# Databricks notebook source' },
  '.sql': { language: 'SQL', header: '-- Databricks notebook source' },
  '.scala': { language: 'SCALA', header: '// Databricks notebook source' },
  '.r': { language: 'R', header: '# Databricks notebook source' },
};

export class WorkspaceTree {
  private readonly objects = new Map<string, WorkspaceObject>();

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
    const limit = importContentLimit;
    if (request.content.length > limit) {
      throw new ApiError(
        400,
        'MAX_NOTEBOOK_SIZE_EXCEEDED',
        `File size imported is (${request.content.length} bytes), exceeded max size (${limit} bytes)`,
      );
    }
    const { path, type, language } = this.resolveImport(request);
    const parent = this.objects.get(parentOf(path));
    if (!parent || parent.type !== 'DIRECTORY') {
      throw ApiError.doesNotExist(`The parent folder (${parentOf(path)}) does not exist.`);
    }
    const existing = this.objects.get(path);
    if (existing && (!request.overwrite || existing.type === 'DIRECTORY')) {
      throw ApiError.alreadyExists(`Path (${path}) already exists.`);
    }
    this.objects.set(path, {
      type,
      objectId: existing?.type === type ? existing.objectId : this.ids.take('object'),
      modifiedAt: this.now(),
      ...(language ? { language } : {}),
      bytes: Buffer.from(request.content),
    });
  }

  getStatus(rawPath: string): ObjectStatus {
    const path = normalizePath(rawPath, 'workspace');
    return statusOf(path, this.require(path));
  }

  list(rawPath: string): ObjectStatus[] {
    const path = normalizePath(rawPath, 'workspace');
    const dir = this.require(path);
    if (dir.type !== 'DIRECTORY') return [statusOf(path, dir)];
    return [...this.objects]
      .filter(([child]) => child !== '/' && parentOf(child) === path)
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

  export(rawPath: string): Buffer {
    const path = normalizePath(rawPath, 'workspace');
    const object = this.require(path);
    if (!object.bytes) throw ApiError.invalidParameter(`Cannot export the folder ${path} in this format`);
    return Buffer.from(object.bytes);
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
    }
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
