// I/O: the DBFS API 2.0 calls of DatabricksWorkspaceClient, one HTTP call each, closed over the client's
// transport.
import type { DatabricksOperationOptions, DeleteOptions } from './DatabricksClientOptions';
import { refuseLocally, requireNumber, type DatabricksTransport } from './DatabricksTransport';
import type { DbfsFileInfo } from './DbfsFileInfo';

/** dbfs/put and dbfs/add-block refuse more than 1 MiB of decoded data (MAX_BLOCK_SIZE_EXCEEDED). */
export const DBFS_MAX_BLOCK_SIZE_IN_BYTES = 1_048_576;

export interface DbfsWriteOptions extends DatabricksOperationOptions {
  overwrite?: boolean;
}

export type DbfsApi = ReturnType<typeof dbfsApi>;

export function dbfsApi(transport: DatabricksTransport) {
  return {
    /**
     * Writes a file of at most 1 MiB in one call (parents are created). Larger contents are refused locally:
     * use `uploadDbfsFile`, which streams with create/add-block/close.
     * Retried after ambiguous failures; with `overwrite: false` a repeat of a put that did succeed reports
     * DatabricksAlreadyExistsError.
     */
    async putDbfsFile(path: string, contents: Buffer, options: DbfsWriteOptions = {}): Promise<void> {
      if (contents.length > DBFS_MAX_BLOCK_SIZE_IN_BYTES) {
        throw refuseLocally(
          'dbfs/put',
          'MAX_BLOCK_SIZE_EXCEEDED',
          `contents of ${path} are ${contents.length} bytes, above the 1 MiB (${DBFS_MAX_BLOCK_SIZE_IN_BYTES} bytes) ` +
            'limit of an inline put; upload it with uploadDbfsFile (create/add-block/close)',
        );
      }
      await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'dbfs/put',
          body: { path, contents: contents.toString('base64'), overwrite: options.overwrite ?? false },
          idempotent: true,
        },
        options,
      );
    },

    /**
     * Opens a streaming upload (dbfs/create) and returns its handle; the file appears only at close. A repeated
     * create leaves at most an orphan handle, which expires after 10 idle minutes (DBFS API create), so it is
     * retried.
     */
    async openDbfsStream(path: string, options: DbfsWriteOptions = {}): Promise<number> {
      const result = await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'dbfs/create',
          body: { path, overwrite: options.overwrite ?? false },
          idempotent: true,
        },
        options,
      );
      return requireNumber(result, 'handle', 'dbfs/create');
    },

    /**
     * Appends at most 1 MiB to an open handle. Not idempotent (a repeat appends twice), so an ambiguous failure
     * is thrown as DatabricksTransientError; `uploadDbfsFile` then restarts the upload with a new handle.
     */
    async addDbfsBlock(
      handle: number,
      data: Buffer,
      options: DatabricksOperationOptions = {},
    ): Promise<void> {
      if (data.length > DBFS_MAX_BLOCK_SIZE_IN_BYTES) {
        throw refuseLocally(
          'dbfs/add-block',
          'MAX_BLOCK_SIZE_EXCEEDED',
          `a block is ${data.length} bytes, above the 1 MiB (${DBFS_MAX_BLOCK_SIZE_IN_BYTES} bytes) limit`,
        );
      }
      await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'dbfs/add-block',
          body: { handle, data: data.toString('base64') },
          idempotent: false,
        },
        options,
      );
    },

    /**
     * Closes a handle (dbfs/close). A repeat of a close that succeeded would fail on the now unknown handle: not
     * retried.
     */
    async closeDbfsStream(handle: number, options: DatabricksOperationOptions = {}): Promise<void> {
      await transport.send(
        { method: 'POST', version: '2.0', endpoint: 'dbfs/close', body: { handle }, idempotent: false },
        options,
      );
    },

    /** The file's or directory's status, or undefined when nothing exists at `path`. */
    async getDbfsStatus(
      path: string,
      options: DatabricksOperationOptions = {},
    ): Promise<DbfsFileInfo | undefined> {
      const result = await transport.sendOrUndefined(
        { method: 'GET', version: '2.0', endpoint: 'dbfs/get-status', query: { path }, idempotent: true },
        options,
      );
      return result === undefined ? undefined : (result as unknown as DbfsFileInfo);
    },

    /**
     * Deletes a file or directory; a missing path is fine. Large recursive deletes answer 503 PARTIAL_DELETE
     * until done (DBFS API delete), which the retry of 503 covers.
     */
    async deleteDbfsPath(path: string, options: DeleteOptions = {}): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'dbfs/delete',
          body: { path, recursive: options.recursive ?? false },
          idempotent: true,
        },
        options,
      );
    },
  };
}
