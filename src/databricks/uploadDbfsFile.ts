// I/O: writes a DBFS file of any size — one put up to 1 MiB, else create / add-block... / close.
import { DatabricksApiError } from './DatabricksApiError';
import type { DatabricksOperationOptions } from './DatabricksClientOptions';
import type { DatabricksWorkspaceClient } from './DatabricksWorkspaceClient';
import { DBFS_MAX_BLOCK_SIZE_IN_BYTES } from './dbfsApi';

export interface UploadDbfsFileOptions extends DatabricksOperationOptions {
  /** Default true: deploys replace what they wrote before. */
  overwrite?: boolean;
  /** Bytes per add-block, at most (and by default) 1 MiB. */
  blockSizeInBytes?: number;
  /** Fresh uploads after a transient failure mid-stream. Default 2. */
  maxRestarts?: number;
}

/**
 * dbfs/put takes at most 1 MiB inline; above that the DBFS API streams through a handle (create, add-block of
 * ≤ 1 MiB each, close), and the file appears only at close. add-block is not safe to repeat (a block could be
 * appended twice), so the client does not retry its ambiguous failures; instead the whole upload restarts with
 * a new handle, which overwrites nothing until its own close. The abandoned handle expires after 10 idle minutes.
 */
export async function uploadDbfsFile(
  client: DatabricksWorkspaceClient,
  path: string,
  contents: Buffer,
  options: UploadDbfsFileOptions = {},
): Promise<void> {
  const overwrite = options.overwrite ?? true;
  const blockSize = options.blockSizeInBytes ?? DBFS_MAX_BLOCK_SIZE_IN_BYTES;
  if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > DBFS_MAX_BLOCK_SIZE_IN_BYTES) {
    throw new RangeError(
      `databricks: blockSizeInBytes must be 1..${DBFS_MAX_BLOCK_SIZE_IN_BYTES}, got ${blockSize}`,
    );
  }
  const operation = { abortSignal: options.abortSignal };
  if (contents.length <= blockSize) {
    await client.putDbfsFile(path, contents, { ...operation, overwrite });
    return;
  }
  const maxRestarts = options.maxRestarts ?? 2;
  for (let restart = 0; ; restart++) {
    try {
      const handle = await client.openDbfsStream(path, { ...operation, overwrite });
      for (let offset = 0; offset < contents.length; offset += blockSize) {
        await client.addDbfsBlock(handle, contents.subarray(offset, offset + blockSize), operation);
      }
      await client.closeDbfsStream(handle, operation);
      return;
    } catch (error) {
      if (!(error instanceof DatabricksApiError) || !error.retryable || restart >= maxRestarts) throw error;
    }
  }
}
