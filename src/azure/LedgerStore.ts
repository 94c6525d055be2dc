// I/O: the ledger as one JSON blob per environment, written with an ETag condition.
// Two deploys of one environment can race (a re-run while a release is applying); the loser gets a
// LedgerConflictError instead of silently erasing the winner's record.
import type { TokenCredential } from '@azure/core-auth';
import { RestError, type BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { blobServiceFromSettings } from './blobServiceFromSettings';
import type { KnownGood, Ledger } from '../planning/Ledger';
import { emptyLedger } from '../planning/Ledger';

export interface StoredLedger {
  ledger: Ledger;
  /** undefined when the blob does not exist yet. */
  etag: string | undefined;
}

export class LedgerConflictError extends Error {
  readonly code = 'LedgerConflict';
  constructor(environment: string) {
    super(
      `ledger: the ledger of environment "${environment}" was changed by another deploy while this one ran; ` +
        're-run the deploy to plan against the new state',
    );
    this.name = 'LedgerConflictError';
  }
}

export class LedgerStore {
  private readonly container: ContainerClient;
  private ensured = false;

  constructor(serviceClient: BlobServiceClient, containerName = 'bricklane-ledger') {
    this.container = serviceClient.getContainerClient(containerName);
  }

  /** Identity-based: the app's credential on the account's blob endpoint (no keys; infra/ disables them). */
  static fromSettings(
    ledger: { connectionString?: string; blobEndpoint?: string; container: string },
    credential: () => TokenCredential,
  ): LedgerStore {
    return new LedgerStore(blobServiceFromSettings(ledger, credential), ledger.container);
  }

  async read(environment: string): Promise<StoredLedger> {
    const blob = this.container.getBlockBlobClient(blobName(environment));
    try {
      // One GET gives body and ETag together, so the condition matches exactly what was read.
      const response = await blob.download();
      const chunks: Buffer[] = [];
      for await (const chunk of response.readableStreamBody ?? []) chunks.push(Buffer.from(chunk as Buffer));
      return {
        ledger: parseLedger(Buffer.concat(chunks).toString('utf8'), environment),
        etag: response.etag,
      };
    } catch (error) {
      if (isStatus(error, 404)) return { ledger: emptyLedger(environment), etag: undefined };
      throw error;
    }
  }

  /** Writes only if the blob is still at `etag` (or still absent when etag is undefined). Returns the new etag. */
  async write(ledger: Ledger, etag: string | undefined): Promise<string> {
    await this.ensureContainer();
    const body = JSON.stringify(ledger, null, 2);
    const blob = this.container.getBlockBlobClient(blobName(ledger.environment));
    try {
      const result = await blob.upload(body, Buffer.byteLength(body), {
        conditions: etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag },
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      return result.etag ?? '';
    } catch (error) {
      if (isStatus(error, 412) || isStatus(error, 409)) throw new LedgerConflictError(ledger.environment);
      throw error;
    }
  }

  /** The environment's last known good bundle (Ledger.lastKnownGood), or undefined when none passed yet. */
  async lastKnownGood(environment: string): Promise<KnownGood | undefined> {
    return (await this.read(environment)).ledger.lastKnownGood;
  }

  /**
   * Records `known` as the environment's last known good, unless the ledger already holds a later one (a
   * retried call, or a newer release that passed first). Throws LedgerConflictError when the ledger changed
   * while this ran: the caller retries.
   */
  async recordKnownGood(environment: string, known: KnownGood): Promise<void> {
    const stored = await this.read(environment);
    const current = stored.ledger.lastKnownGood;
    if (current && current.at >= known.at) return;
    // The one before stays beside it (KnownGood.previous): a ring target's manual rollback may need it.
    const previous =
      current === undefined
        ? undefined
        : current.bundleId !== known.bundleId
          ? withoutPrevious(current)
          : current.previous;
    const lastKnownGood = { ...withoutPrevious(known), ...(previous ? { previous } : {}) };
    await this.write({ ...stored.ledger, lastKnownGood }, stored.etag);
  }

  private async ensureContainer(): Promise<void> {
    if (this.ensured) return;
    await this.container.createIfNotExists();
    this.ensured = true;
  }
}

function withoutPrevious({ bundleId, releaseId, at }: KnownGood): Omit<KnownGood, 'previous'> {
  return { bundleId, releaseId, at };
}

function blobName(environment: string): string {
  return `environments/${encodeURIComponent(environment)}/ledger.json`;
}

function parseLedger(text: string, environment: string): Ledger {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(
      `ledger: the ledger blob of "${environment}" is not valid JSON; restore it or delete it to redeploy everything`,
    );
  }
  const v = value as Partial<Ledger> | null;
  if (!v || v.version !== 1 || typeof v.entries !== 'object' || v.entries === null) {
    throw new Error(`ledger: the ledger blob of "${environment}" has an unknown shape (expected version 1)`);
  }
  return {
    version: 1,
    environment,
    updatedAt: v.updatedAt,
    entries: v.entries,
    ...(v.directoryImport ? { directoryImport: v.directoryImport } : {}),
    ...(v.lastKnownGood ? { lastKnownGood: v.lastKnownGood } : {}),
  };
}

function isStatus(error: unknown, status: number): boolean {
  return error instanceof RestError && error.statusCode === status;
}
