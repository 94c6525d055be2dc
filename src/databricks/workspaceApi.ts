// I/O: the Workspace API 2.0 calls of DatabricksWorkspaceClient (notebooks, files, folders), one HTTP call each,
// closed over the client's transport.
import type { DatabricksOperationOptions, DeleteOptions } from './DatabricksClientOptions';
import { refuseLocally, type DatabricksTransport } from './DatabricksTransport';
import type { NotebookLanguage, WorkspaceImportFormat, WorkspaceObjectInfo } from './WorkspaceObjectInfo';

/**
 * The most base64 `content` bricklane sends in one workspace/import, a file's or a directory's. The reference
 * puts the 10 MB limit on `content`, which is "The base64-encoded content" ("This has a limit of 10 MB. If the
 * limit (10MB) is exceeded, exception with error code MAX_NOTEBOOK_SIZE_EXCEEDED is thrown":
 * https://docs.databricks.com/api/workspace/workspace/import), and does not say MB or MiB: 10,000,000
 * characters of base64 stay under both readings.
 */
export const MAX_IMPORT_BASE64_LENGTH = 10_000_000;

export interface WorkspaceImportRequest {
  path: string;
  format: WorkspaceImportFormat;
  /** Required with SOURCE. */
  language?: NotebookLanguage;
  content: Buffer;
  overwrite: boolean;
}

export type WorkspaceApi = ReturnType<typeof workspaceApi>;

export function workspaceApi(transport: DatabricksTransport) {
  return {
    /** Creates the folder and its parents (workspace/mkdirs); an existing folder is fine. */
    async createWorkspaceFolder(path: string, options: DatabricksOperationOptions = {}): Promise<void> {
      await transport.send(
        { method: 'POST', version: '2.0', endpoint: 'workspace/mkdirs', body: { path }, idempotent: true },
        options,
      );
    },

    /**
     * Imports a notebook (SOURCE with `language`, or JUPYTER) or a workspace file (AUTO). The parent folder must
     * exist. Retried after ambiguous failures, which is safe because bricklane imports with `overwrite: true`;
     * with `overwrite: false` a repeat of an import that did succeed reports DatabricksAlreadyExistsError.
     * The size limit the API would reject is checked locally (10 MB of base64 in every format).
     */
    async importWorkspaceObject(
      request: WorkspaceImportRequest,
      options: DatabricksOperationOptions = {},
    ): Promise<void> {
      if (request.format === 'SOURCE' && request.language === undefined) {
        throw refuseLocally(
          'workspace/import',
          'INVALID_PARAMETER_VALUE',
          `importing ${request.path} with format SOURCE needs a language (PYTHON, SQL, SCALA or R)`,
        );
      }
      const limit = MAX_IMPORT_BASE64_LENGTH;
      if (base64LengthOf(request.content) > limit) {
        throw refuseLocally(
          'workspace/import',
          'MAX_NOTEBOOK_SIZE_EXCEEDED',
          `${request.path} is ${request.content.length} bytes, ${base64LengthOf(request.content)} characters of ` +
            `base64, above the ${limit} workspace/import takes as content (${request.format})`,
        );
      }
      await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'workspace/import',
          body: {
            path: request.path,
            format: request.format,
            language: request.language,
            content: request.content.toString('base64'),
            overwrite: request.overwrite,
          },
          idempotent: true,
        },
        options,
      );
    },

    /**
     * Imports a zip of source files as a new folder at `path` (format SOURCE with `language` unset: "To import a
     * directory, you can use either the DBC format or the SOURCE format with the language field unset",
     * https://docs.databricks.com/api/workspace/workspace/import). Never overwrites: an existing `path` is
     * RESOURCE_ALREADY_EXISTS (DatabricksAlreadyExistsError). Repeated after ambiguous failures like the other
     * imports: a repeat of an import that did succeed sees RESOURCE_ALREADY_EXISTS too, so a caller that gets
     * it lists the folder to learn what is there.
     */
    async importWorkspaceDirectory(
      path: string,
      zip: Buffer,
      options: DatabricksOperationOptions = {},
    ): Promise<void> {
      const limit = MAX_IMPORT_BASE64_LENGTH;
      if (base64LengthOf(zip) > limit) {
        throw refuseLocally(
          'workspace/import',
          'MAX_NOTEBOOK_SIZE_EXCEEDED',
          `the directory import of ${path} is ${base64LengthOf(zip)} characters of base64, above the ${limit} ` +
            'bricklane sends in one import',
        );
      }
      await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'workspace/import',
          json: directoryImportBody(path, zip),
          idempotent: true,
        },
        options,
      );
    },

    /** The object at `path` (workspace/get-status), or undefined when there is none. */
    async getWorkspaceObjectStatus(
      path: string,
      options: DatabricksOperationOptions = {},
    ): Promise<WorkspaceObjectInfo | undefined> {
      const result = await transport.sendOrUndefined(
        {
          method: 'GET',
          version: '2.0',
          endpoint: 'workspace/get-status',
          query: { path },
          idempotent: true,
        },
        options,
      );
      return result === undefined ? undefined : (result as unknown as WorkspaceObjectInfo);
    },

    /**
     * Direct children of a folder (empty folder -> []). A missing folder throws DatabricksNotFoundError rather
     * than returning [], so "gone" and "empty" stay distinguishable; callers that treat both alike catch it.
     */
    async listWorkspaceFolder(
      path: string,
      options: DatabricksOperationOptions = {},
    ): Promise<WorkspaceObjectInfo[]> {
      const result = await transport.send(
        { method: 'GET', version: '2.0', endpoint: 'workspace/list', query: { path }, idempotent: true },
        options,
      );
      // The API omits `objects` for an empty folder.
      const objects = result.objects;
      return Array.isArray(objects) ? (objects as WorkspaceObjectInfo[]) : [];
    },

    /**
     * Deletes an object (a folder needs `recursive` unless empty). A missing path throws
     * DatabricksNotFoundError; a retry after an ambiguous failure can report that too, so pruning callers
     * treat NotFound as done.
     */
    async deleteWorkspaceObject(path: string, options: DeleteOptions = {}): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'workspace/delete',
          body: { path, recursive: options.recursive ?? false },
          idempotent: true,
        },
        options,
      );
    },
  };
}

/** base64 makes 4 characters of every 3 bytes, the last group padded. */
function base64LengthOf(bytes: Uint8Array): number {
  return Math.ceil(bytes.length / 3) * 4;
}

/** Bytes of base64 encoded per step: a multiple of 3, so the pieces join without padding between them. */
const BASE64_STEP = 3 * 65_536;

/**
 * `{"path":…,"format":"SOURCE","content":"<base64>","overwrite":false}` as one buffer, the base64 written into it
 * piece by piece. Built as strings (the base64, then the JSON around it) it held two more copies of the zip's
 * base64 while the request was in flight, up to 10 MB each.
 */
function directoryImportBody(path: string, zip: Buffer): Buffer {
  const head = Buffer.from(`{"path":${JSON.stringify(path)},"format":"SOURCE","content":"`);
  const tail = Buffer.from('","overwrite":false}');
  const body = Buffer.allocUnsafe(head.length + base64LengthOf(zip) + tail.length);
  let at = head.copy(body);
  for (let i = 0; i < zip.length; i += BASE64_STEP) {
    at += body.write(zip.subarray(i, i + BASE64_STEP).toString('base64'), at, 'latin1');
  }
  tail.copy(body, at);
  return body;
}
