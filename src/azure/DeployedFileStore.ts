// I/O: the bytes of every notebook, workspace file and init script bricklane wrote, content-addressed in
// release storage (`files/<sha256>`), so that the approval page's code diff reads what an environment runs now
// from the ledger's hash alone (no workspace export, no old bundle to unpack). A blob is written once
// (If-None-Match: *) and never changed; it is checked against its name when read, since the container is
// storage others can write to.
import { createHash } from 'node:crypto';
import { RestError } from '@azure/storage-blob';
import type { ReleaseStorage } from './ReleaseStorage';

/** What a read found: the size always, the bytes when they are within the reader's cap. */
export interface DeployedFile {
  size: number;
  bytes?: Buffer;
}

export const deployedFileBlob = (sha256: string): string => `files/${sha256}`;

export class DeployedFileStore {
  constructor(private readonly storage: ReleaseStorage) {}

  /** Keeps `bytes` under their sha256 (given: the bundle's verified digest). Already there: nothing to do. */
  async keep(sha256: string, bytes: Buffer): Promise<void> {
    await this.storage.ensureContainer();
    try {
      await this.storage.container.getBlockBlobClient(deployedFileBlob(sha256)).upload(bytes, bytes.length, {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
      });
    } catch (error) {
      // Kept before (same name, same bytes), or being kept by a concurrent apply.
      if (!(error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412)))
        throw error;
    }
  }

  /**
   * The file kept under `sha256`: its size, and its bytes when it is at most `maxBytes` long. undefined when it
   * was never kept, or when what is stored does not hash to its name.
   */
  async read(sha256: string, maxBytes: number): Promise<DeployedFile | undefined> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    const blob = this.storage.container.getBlockBlobClient(deployedFileBlob(sha256));
    try {
      const { contentLength = 0 } = await blob.getProperties();
      if (contentLength > maxBytes) return { size: contentLength };
      const bytes = await blob.downloadToBuffer();
      if (createHash('sha256').update(bytes).digest('hex') !== sha256) return undefined;
      return { size: bytes.length, bytes };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }
}
