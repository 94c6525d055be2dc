// I/O: the release's own blobs: staged bundles (content-addressed, immutable), stored plans, a release's
// full bundle diagnostics, and the per-environment records that order releases (who waits for approval,
// who applies).
import { RestError, type BlobServiceClient, type ContainerClient } from '@azure/storage-blob';

export const RELEASES_CONTAINER = 'bricklane-releases';

export interface StoredJson<T> {
  value: T;
  etag: string;
}

export class ReleaseStorage {
  readonly container: ContainerClient;
  private ensured: Promise<unknown> | undefined;

  constructor(serviceClient: BlobServiceClient, containerName = RELEASES_CONTAINER) {
    this.container = serviceClient.getContainerClient(containerName);
  }

  async ensureContainer(): Promise<void> {
    this.ensured ??= this.container.createIfNotExists();
    await this.ensured;
  }

  async readJson<T>(name: string): Promise<StoredJson<T> | undefined> {
    try {
      const response = await this.container.getBlockBlobClient(name).download();
      const chunks: Buffer[] = [];
      for await (const chunk of response.readableStreamBody ?? []) chunks.push(Buffer.from(chunk as Buffer));
      return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T, etag: response.etag ?? '' };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /**
   * Writes JSON if the blob is still at `etag` ('absent' = must not exist, undefined = unconditional).
   * Returns false when the condition failed (someone else wrote first).
   */
  async writeJson(name: string, value: unknown, etag?: string | 'absent'): Promise<boolean> {
    await this.ensureContainer();
    const body = JSON.stringify(value);
    try {
      await this.container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), {
        blobHTTPHeaders: { blobContentType: 'application/json' },
        ...(etag === undefined
          ? {}
          : { conditions: etag === 'absent' ? { ifNoneMatch: '*' } : { ifMatch: etag } }),
      });
      return true;
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 412 || error.statusCode === 409)) return false;
      throw error;
    }
  }

  async deleteIfMatch(name: string, etag: string): Promise<boolean> {
    try {
      await this.container.getBlockBlobClient(name).delete({ conditions: { ifMatch: etag } });
      return true;
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 412 || error.statusCode === 404)) return false;
      throw error;
    }
  }
}

export const stagedBundleBlob = (bundleId: string): string => `bundles/${bundleId}.tar.gz`;
export const lockBlob = (environment: string): string => `environments/${environment}/apply-lock.json`;
export const waitingBlob = (environment: string): string => `environments/${environment}/waiting.json`;

/**
 * `diagnostics/<releaseId>.json`: every problem of an invalid bundle, as inspectBundle found them. The
 * release's custom status only has room for the count and the first few (Durable's 16 KB limit).
 */
export const bundleDiagnosticsBlob = (releaseId: string): string =>
  `diagnostics/${encodeURIComponent(releaseId)}.json`;

export interface StoredDiagnostics {
  version: 1;
  /** The bundle they were found in: a re-run of the same release id with another bundle replaces them. */
  bundleId: string;
  count: number;
  /** `<file> [<path>]: <summary>`, in the order validation reported them. */
  diagnostics: string[];
}

/** The stored diagnostics of a release, or undefined when there are none or they are not for `bundleId`. */
export async function readBundleDiagnostics(
  storage: ReleaseStorage,
  releaseId: string,
  bundleId: string,
): Promise<StoredDiagnostics | undefined> {
  const stored = await storage.readJson<Partial<StoredDiagnostics> | null>(bundleDiagnosticsBlob(releaseId));
  const value = stored?.value;
  if (
    !value ||
    value.version !== 1 ||
    value.bundleId !== bundleId ||
    !Array.isArray(value.diagnostics) ||
    !value.diagnostics.every((d) => typeof d === 'string')
  )
    return undefined;
  return { version: 1, bundleId, count: value.diagnostics.length, diagnostics: value.diagnostics };
}
