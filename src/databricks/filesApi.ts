// I/O: the Files API 2.0 calls of DatabricksWorkspaceClient (Unity Catalog volumes), one HTTP call each (one per
// page for a listing), closed over the client's transport.
// https://docs.databricks.com/api/azure/workspace/files: the object is named in the URL path
// (`/api/2.0/fs/files/Volumes/<catalog>/<schema>/<volume>/<path>`), uploads are raw bytes ("do not encode or
// otherwise modify the bytes"), and HEAD answers metadata in headers with no body. Init scripts in a volume are
// what Databricks recommends on Unity Catalog compute now that DBFS init scripts are end-of-life
// (https://learn.microsoft.com/azure/databricks/init-scripts/#migrate-dbfs).
import { DatabricksApiError } from './DatabricksApiError';
import type { DatabricksOperationOptions } from './DatabricksClientOptions';
import { optionalString, type DatabricksTransport } from './DatabricksTransport';
import { getPagedAsyncIterator, type PagedAsyncIterableIterator } from './getPagedAsyncIterator';

export interface VolumeFileMetadata {
  /** Bytes, from `content-length`. */
  contentLength: number;
  lastModified?: string;
}

/** One entry of a directory listing, as the API answers it. */
export interface VolumeDirectoryEntry {
  path: string;
  is_directory: boolean;
  file_size?: number;
  last_modified?: number;
  name?: string;
}

export interface UploadFileOptions extends DatabricksOperationOptions {
  /** Default true, as the API's: an existing file is replaced. */
  overwrite?: boolean;
}

export type FilesApi = ReturnType<typeof filesApi>;

export function filesApi(transport: DatabricksTransport) {
  return {
    /**
     * Writes `contents` to a file in a volume (parents come with it). With overwrite (the default) a repeat gives
     * the same file, so an ambiguous failure is retried.
     */
    async uploadFile(path: string, contents: Uint8Array, options: UploadFileOptions = {}): Promise<void> {
      const overwrite = options.overwrite ?? true;
      await transport.send(
        {
          method: 'PUT',
          version: '2.0',
          endpoint: 'fs/files',
          path,
          query: { overwrite },
          content: contents,
          idempotent: overwrite,
        },
        options,
      );
    },

    /**
     * The file's size and time, or undefined when there is no such file. A HEAD answer has no body, so a missing
     * file is a bare 404 without the NOT_FOUND code the other calls carry; on this path it means "no file".
     */
    async getFileMetadata(
      path: string,
      options: DatabricksOperationOptions = {},
    ): Promise<VolumeFileMetadata | undefined> {
      let result: Record<string, unknown>;
      try {
        result = await transport.send(
          {
            method: 'HEAD',
            version: '2.0',
            endpoint: 'fs/files',
            path,
            responseHeaders: ['content-length', 'last-modified'],
            idempotent: true,
          },
          options,
        );
      } catch (error) {
        if (error instanceof DatabricksApiError && error.statusCode === 404) return undefined;
        throw error;
      }
      const headers = (result.headers ?? {}) as Record<string, string | null>;
      const lastModified = optionalString(headers['last-modified']);
      return {
        contentLength: Number(headers['content-length'] ?? 0),
        ...(lastModified ? { lastModified } : {}),
      };
    },

    /** Deletes a file. A retry after an ambiguous failure may report DatabricksNotFoundError: treat it as done. */
    async deleteFile(path: string, options: DatabricksOperationOptions = {}): Promise<void> {
      await transport.send(
        { method: 'DELETE', version: '2.0', endpoint: 'fs/files', path, idempotent: true },
        options,
      );
    },

    /** `mkdir -p` in a volume; succeeds when the directory exists. */
    async createVolumeDirectory(path: string, options: DatabricksOperationOptions = {}): Promise<void> {
      await transport.send(
        { method: 'PUT', version: '2.0', endpoint: 'fs/directories', path, idempotent: true },
        options,
      );
    },

    /** The entries of a volume directory, page by page; a missing directory is DatabricksNotFoundError. */
    listVolumeDirectory(
      path: string,
      options: DatabricksOperationOptions & { pageSize?: number } = {},
    ): PagedAsyncIterableIterator<VolumeDirectoryEntry> {
      return getPagedAsyncIterator(async (pageToken) => {
        const result = await transport.send(
          {
            method: 'GET',
            version: '2.0',
            endpoint: 'fs/directories',
            path,
            query: { page_size: options.pageSize, page_token: pageToken },
            idempotent: true,
          },
          options,
        );
        return {
          items: Array.isArray(result.contents) ? (result.contents as VolumeDirectoryEntry[]) : [],
          continuationToken: optionalString(result.next_page_token),
        };
      }, 'fs/directories');
    },
  };
}
