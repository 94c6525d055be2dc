// I/O: the audit trail, append-only, one trail per environment in the `bricklane-audit` container of the
// ledger's storage account. Nothing here rewrites or deletes a record: events go in with Append Block only,
// which "commits a new block of data to the end of an existing append blob" and is atomic per block, so
// writers on several workers append side by side without a lease or an ETag
// (https://learn.microsoft.com/rest/api/storageservices/append-block). The trail outlives the durable history
// (purgeHistory) and never holds a URL, token or secret (release/AuditEvent.ts says what each event holds;
// this store knows only the envelope every line has: version, id, time, environment).
//
// Layout: `<environment>/<yyyy-mm-dd>/<part>.jsonl`, one blob per environment and UTC day of the append,
// part 00000 first. An append blob takes at most 50,000 blocks (4 MiB each; "Scalability and performance
// targets for Blob storage", learn.microsoft.com/azure/storage/blobs/scalability-targets), and an append past
// that fails with 409 BlockCountExceedsLimit (Blob service error codes): the day rolls over to its next part
// then, or as soon as an append's answer says the blob is full (x-ms-blob-committed-block-count). Names sort
// in append order, so a reader lists a trail's blobs and reads them in name order.
import { RestError, type BlobServiceClient, type ContainerClient } from '@azure/storage-blob';

/** The envelope of every line; AUDIT_RECORD_VERSION names it. */
export const AUDIT_RECORD_VERSION = 1;
/** Longest text kept in a record (a comment, a message); longer ones end in `…`. */
export const MAX_AUDIT_TEXT = 1_000;
/** Longest list kept in a record (groups, checks); the count of the rest is recorded. */
export const MAX_AUDIT_LIST = 50;

export interface AuditRecord {
  v: typeof AUDIT_RECORD_VERSION;
  /**
   * Deterministic: the same event written twice (a retried activity, a storage client retry after a lost
   * answer) has the same id, and readers keep the first line of an id.
   */
  id: string;
  /** When it happened (ISO, UTC). */
  at: string;
  environment: string;
}

/** What a writer hands over: the store adds the version, and `at` (the append's time) when absent. */
export type AuditRecordInput = { id: string; at?: string; environment: string } & Record<string, unknown>;

export const AUDIT_CONTAINER = 'bricklane-audit';
/** Append Block's limit per append blob (the scalability targets above). */
export const APPEND_BLOB_MAX_BLOCKS = 50_000;
/** Most events one read answers, and the default. */
export const MAX_AUDIT_PAGE = 5_000;
export const DEFAULT_AUDIT_PAGE = 1_000;

export interface AuditStoreOptions {
  containerName?: string;
  /** Blocks per blob before the day rolls to its next part (tests set a few; Azure's limit by default). */
  maxBlocksPerBlob?: number;
  /** The clock that picks the day blob (tests move it). */
  now?: () => Date;
}

export interface AuditReadOptions {
  /** Only events at or after this time. */
  since?: Date;
  /** At most this many events (1 to MAX_AUDIT_PAGE). */
  limit?: number;
  /** Where the previous page stopped (AuditPage.continuation). */
  continuation?: string;
}

export interface AuditPage {
  /** In append order, each id once within the page. */
  events: AuditRecord[];
  /** Present when more events may follow: pass it back to read the next page. */
  continuation?: string;
}

/** A continuation token that is not one this store handed out. */
export class AuditContinuationError extends Error {
  readonly code = 'InvalidContinuation';
  constructor() {
    super('continuation: not a token from a previous page of this trail; start again without it');
    this.name = 'AuditContinuationError';
  }
}

export class AuditStore {
  private readonly container: ContainerClient;
  private readonly maxBlocks: number;
  private readonly now: () => Date;
  /** The part each `<environment>/<day>` appends to, as this process last found it. */
  private readonly parts = new Map<string, Promise<number>>();

  constructor(serviceClient: BlobServiceClient, options: AuditStoreOptions = {}) {
    this.container = serviceClient.getContainerClient(options.containerName ?? AUDIT_CONTAINER);
    this.maxBlocks = options.maxBlocksPerBlob ?? APPEND_BLOB_MAX_BLOCKS;
    this.now = options.now ?? ((): Date => new Date());
  }

  /**
   * Appends one event as one block. Throws what storage throws (the calling activity is retried; the event's
   * id makes a second copy harmless). A retried request may append the line twice; readers drop the copy.
   */
  async append(input: AuditRecordInput): Promise<void> {
    const now = this.now();
    const event: AuditRecord = { ...input, v: AUDIT_RECORD_VERSION, at: input.at ?? now.toISOString() };
    const body = auditLine(event);
    const day = `${event.environment}/${now.toISOString().slice(0, 10)}`;
    let part = await this.partOf(day);
    // Bounded: a missing container, a missing blob, and a full blob or two are all an append can meet.
    for (let attempt = 0; attempt < 6; attempt++) {
      const blob = this.container.getAppendBlobClient(partBlob(day, part));
      try {
        const appended = await blob.appendBlock(body, Buffer.byteLength(body));
        if ((appended.blobCommittedBlockCount ?? 0) >= this.maxBlocks) this.rollTo(day, part + 1);
        return;
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ContainerNotFound') await this.container.createIfNotExists();
        else if (code === 'BlobNotFound' || (error instanceof RestError && error.statusCode === 404))
          await blob.createIfNotExists({ blobHTTPHeaders: { blobContentType: 'application/x-ndjson' } });
        else if (code === 'BlockCountExceedsLimit') part = this.rollTo(day, part + 1);
        else throw error;
      }
    }
    throw new Error(`audit: could not append to the ${event.environment} trail (${partBlob(day, part)})`);
  }

  /** The environment's events in append order, from `since` on, a page at a time. */
  async read(environment: string, options: AuditReadOptions = {}): Promise<AuditPage> {
    const limit = Math.min(Math.max(options.limit ?? DEFAULT_AUDIT_PAGE, 1), MAX_AUDIT_PAGE);
    const from =
      options.continuation === undefined ? undefined : parseContinuation(options.continuation, environment);
    const sinceDay = options.since?.toISOString().slice(0, 10);
    const since = options.since?.toISOString();
    const events: AuditRecord[] = [];
    const seen = new Set<string>();
    for await (const item of this.listTrail(environment)) {
      const name = item.name;
      if (sinceDay !== undefined && dayOf(name) < sinceDay) continue;
      if (from && name < from.blob) continue;
      const offset = from && name === from.blob ? from.offset : 0;
      const bytes = await this.download(name, offset);
      if (bytes === undefined) continue;
      // Line by line, to know the byte offset where a page stops.
      let start = 0;
      while (start < bytes.length) {
        const end = bytes.indexOf(0x0a, start);
        const stop = end === -1 ? bytes.length : end + 1;
        const parsed = parseAuditLines(bytes.subarray(start, stop).toString('utf8'));
        start = stop;
        const fresh = dedupeAuditRecords(
          parsed.filter((e) => since === undefined || e.at >= since),
          seen,
        );
        events.push(...fresh);
        // More may follow (later in this blob, or in a later one): the next page starts after this line.
        if (events.length >= limit)
          return { events, continuation: formatContinuation({ blob: name, offset: offset + start }) };
      }
    }
    return { events };
  }

  private async *listTrail(environment: string): AsyncGenerator<{ name: string }> {
    try {
      for await (const item of this.container.listBlobsFlat({ prefix: `${environment}/` })) yield item;
    } catch (error) {
      if (errorCode(error) === 'ContainerNotFound') return;
      throw error;
    }
  }

  private async download(name: string, offset: number): Promise<Buffer | undefined> {
    try {
      // One GET from the offset (a continued page reads only what follows it).
      const response = await this.container.getAppendBlobClient(name).download(offset);
      const chunks: Buffer[] = [];
      for await (const chunk of response.readableStreamBody ?? []) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks);
    } catch (error) {
      // Asking from the end of a blob: nothing more there (416 InvalidRange).
      if (error instanceof RestError && (error.statusCode === 416 || error.statusCode === 404))
        return undefined;
      throw error;
    }
  }

  /** The day's current part: as last found here, else the last part listed (a new day: 0). */
  private partOf(day: string): Promise<number> {
    let part = this.parts.get(day);
    if (!part) {
      part = (async (): Promise<number> => {
        let last = 0;
        try {
          for await (const item of this.container.listBlobsFlat({ prefix: `${day}/` }))
            last = Math.max(last, Number(/\/(\d+)\.jsonl$/.exec(item.name)?.[1] ?? '0'));
        } catch (error) {
          if (errorCode(error) !== 'ContainerNotFound') throw error;
        }
        return last;
      })();
      // A failed listing is not remembered: the next append lists again.
      part.catch(() => this.parts.delete(day));
      this.parts.set(day, part);
    }
    return part;
  }

  private rollTo(day: string, part: number): number {
    this.parts.set(day, Promise.resolve(part));
    return part;
  }
}

/** The record as one line of the trail (with its newline): texts and lists bounded, no undefined fields. */
export function auditLine(record: AuditRecord): string {
  return `${JSON.stringify(boundValue(record))}\n`;
}

/**
 * The records in `text` (one blob of the trail, or a part of it), in order. A line that is not a version-1
 * record (a torn write cannot happen with Append Block, but a later version can) is skipped, not fatal.
 */
export function parseAuditLines(text: string): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (isAuditRecord(value)) records.push(value);
  }
  return records;
}

/** The records without repeated ids (the first of each stays, in order); `seen` carries ids across calls. */
export function dedupeAuditRecords<T extends AuditRecord>(
  records: readonly T[],
  seen = new Set<string>(),
): T[] {
  return records.filter((record) => {
    if (seen.has(record.id)) return false;
    seen.add(record.id);
    return true;
  });
}

function isAuditRecord(value: unknown): value is AuditRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<AuditRecord>;
  return (
    v.v === AUDIT_RECORD_VERSION &&
    typeof v.id === 'string' &&
    typeof v.at === 'string' &&
    typeof v.environment === 'string'
  );
}

function boundValue(value: unknown): unknown {
  if (typeof value === 'string')
    return value.length > MAX_AUDIT_TEXT ? `${value.slice(0, MAX_AUDIT_TEXT - 1)}…` : value;
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_AUDIT_LIST).map(boundValue);
    return value.length > MAX_AUDIT_LIST ? [...kept, `… ${value.length - MAX_AUDIT_LIST} more`] : kept;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, boundValue(v)]),
    );
  }
  return value;
}

function partBlob(day: string, part: number): string {
  return `${day}/${String(part).padStart(5, '0')}.jsonl`;
}

/** `<environment>/<yyyy-mm-dd>/<part>.jsonl` -> `yyyy-mm-dd`. */
function dayOf(name: string): string {
  return name.split('/')[1] ?? '';
}

function errorCode(error: unknown): string | undefined {
  return error instanceof RestError ? (error.code ?? undefined) : undefined;
}

interface Continuation {
  blob: string;
  offset: number;
}

function formatContinuation(c: Continuation): string {
  return Buffer.from(JSON.stringify([c.blob, c.offset])).toString('base64url');
}

function parseContinuation(token: string, environment: string): Continuation {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      typeof value[0] === 'string' &&
      value[0].startsWith(`${environment}/`) &&
      /^[a-z][a-z0-9.]*\/\d{4}-\d{2}-\d{2}\/\d{5,}\.jsonl$/.test(value[0]) &&
      Number.isSafeInteger(value[1]) &&
      (value[1] as number) >= 0
    )
      return { blob: value[0], offset: value[1] as number };
  } catch {
    // Falls through to the error below.
  }
  throw new AuditContinuationError();
}
