// I/O: approval decisions, one blob per release and environment, created with `If-None-Match: *`.
// The blob is the single point where two clicks (two approvers, a double submit, a replayed POST) are
// told apart: storage lets exactly one create win, and only the winner raises the approval event.
// With a quorum (more than one approval needed) each approver has a blob of their own under the
// environment's folder (`voter`, approverKey): one decision per approver per wait, and the same approver
// clicking twice still counts once.
import { RestError, type BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { ApprovalDecisionRecord } from './ApprovalDecisionRecord';
import type { AuditPrincipal } from '../release/AuditEvent';

export type RecordDecisionResult =
  | { recorded: true; etag: string }
  | { recorded: false; alreadyDecided: ApprovalDecisionRecord; etag: string };

export const DEFAULT_DECISION_CONTAINER = 'bricklane-approvals';

// A create that loses to a stale decision (an earlier run of this release) retries against the new ETag;
// more rounds than this means someone else keeps writing, and they won.
const MAX_ATTEMPTS = 3;

export class DecisionStore {
  private readonly container: ContainerClient;
  private ensured = false;

  constructor(serviceClient: BlobServiceClient, containerName = DEFAULT_DECISION_CONTAINER) {
    this.container = serviceClient.getContainerClient(containerName);
  }

  /**
   * Records the decision unless this wait already has one. A decision left by an earlier wait (a re-run
   * of the release under the same instance id) is replaced, with an ETag condition so that concurrent
   * clicks still produce exactly one winner.
   */
  async record(decision: ApprovalDecisionRecord, voter?: string): Promise<RecordDecisionResult> {
    await this.ensureContainer();
    const blob = this.container.getBlockBlobClient(
      decisionBlobName(decision.releaseId, decision.environment, voter),
    );
    const body = JSON.stringify(decision, null, 2);
    let conditions: { ifNoneMatch: string } | { ifMatch: string } = { ifNoneMatch: '*' };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        const result = await blob.upload(body, Buffer.byteLength(body), {
          conditions,
          blobHTTPHeaders: { blobContentType: 'application/json' },
        });
        return { recorded: true, etag: result.etag ?? '' };
      } catch (error) {
        if (!isStatus(error, 409) && !isStatus(error, 412)) throw error;
      }
      const existing = await this.readWithEtag(decision.releaseId, decision.environment, voter);
      if (existing?.record.waitId === decision.waitId)
        return { recorded: false, alreadyDecided: existing.record, etag: existing.etag };
      // Gone again (withdrawn after a failed raise), or left by an earlier wait: try once more.
      conditions = existing ? { ifMatch: existing.etag } : { ifNoneMatch: '*' };
    }
    throw new Error(
      `approvals: the decision for ${decision.environment} kept changing while it was recorded; try again`,
    );
  }

  /** The decision recorded for this release and environment (of any wait; with `voter`, theirs), if any. */
  async read(
    releaseId: string,
    environment: string,
    voter?: string,
  ): Promise<ApprovalDecisionRecord | undefined> {
    return (await this.readWithEtag(releaseId, environment, voter))?.record;
  }

  /**
   * Notes on the record that its event reached the release, so that a later request for the wait (a replay, a
   * double click) does not send it again. Only that very record (ETag) is changed; best effort: without the note a
   * later request sends the event once more, which the gate counts once.
   */
  async markDelivered(record: ApprovalDecisionRecord, etag: string, voter?: string): Promise<void> {
    const body = JSON.stringify({ ...record, delivered: true }, null, 2);
    try {
      await this.container
        .getBlockBlobClient(decisionBlobName(record.releaseId, record.environment, voter))
        .upload(body, Buffer.byteLength(body), {
          conditions: { ifMatch: etag },
          blobHTTPHeaders: { blobContentType: 'application/json' },
        });
    } catch (error) {
      if (!isStatus(error, 404) && !isStatus(error, 412)) throw error;
    }
  }

  /**
   * Removes a decision we just recorded, when raising its event failed, so that the approver can try
   * again. The ETag condition makes sure only that very record is removed.
   */
  async withdraw(releaseId: string, environment: string, etag: string, voter?: string): Promise<void> {
    try {
      await this.container
        .getBlockBlobClient(decisionBlobName(releaseId, environment, voter))
        .delete({ conditions: { ifMatch: etag } });
    } catch (error) {
      if (!isStatus(error, 404) && !isStatus(error, 412)) throw error;
    }
  }

  private async readWithEtag(
    releaseId: string,
    environment: string,
    voter?: string,
  ): Promise<{ record: ApprovalDecisionRecord; etag: string } | undefined> {
    const blob = this.container.getBlockBlobClient(decisionBlobName(releaseId, environment, voter));
    try {
      // One GET gives body and ETag together, so a later ifMatch refers to exactly what was read.
      const response = await blob.download();
      const chunks: Buffer[] = [];
      for await (const chunk of response.readableStreamBody ?? []) chunks.push(Buffer.from(chunk as Buffer));
      const text = Buffer.concat(chunks).toString('utf8');
      return { record: parseRecord(text, releaseId, environment), etag: response.etag ?? '' };
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  private async ensureContainer(): Promise<void> {
    if (this.ensured) return;
    await this.container.createIfNotExists();
    this.ensured = true;
  }
}

/**
 * `decisions/<releaseId>/<environment>.json`, or with a quorum `decisions/<releaseId>/<environment>/<voter>.json`
 * (each part URI-encoded, so an id never adds a folder).
 */
export function decisionBlobName(releaseId: string, environment: string, voter?: string): string {
  const folder = `decisions/${encodeURIComponent(releaseId)}/${encodeURIComponent(environment)}`;
  return voter === undefined ? `${folder}.json` : `${folder}/${encodeURIComponent(voter)}.json`;
}

function parseRecord(text: string, releaseId: string, environment: string): ApprovalDecisionRecord {
  let value: Partial<ApprovalDecisionRecord> | null = null;
  try {
    value = JSON.parse(text) as Partial<ApprovalDecisionRecord> | null;
  } catch {
    // Reported below with the blob's name.
  }
  if (!value || (value.decision !== 'approve' && value.decision !== 'reject')) {
    throw new Error(
      `approvals: the decision blob ${decisionBlobName(releaseId, environment)} has an unknown shape; ` +
        'inspect it, and delete it if the release should ask again',
    );
  }
  return {
    releaseId,
    environment,
    waitId: typeof value.waitId === 'string' ? value.waitId : '',
    decision: value.decision,
    approver: typeof value.approver === 'string' ? value.approver : '',
    decidedAt: typeof value.decidedAt === 'string' ? value.decidedAt : '',
    ...(typeof value.comment === 'string' ? { comment: value.comment } : {}),
    ...(typeof value.approverObjectId === 'string' ? { approverObjectId: value.approverObjectId } : {}),
    ...(typeof value.approverDisplayName === 'string'
      ? { approverDisplayName: value.approverDisplayName }
      : {}),
    ...(typeof value.via === 'string' ? { via: value.via } : {}),
    ...(isPrincipal(value.principal) ? { principal: value.principal } : {}),
    ...(value.delivered === true ? { delivered: true } : {}),
  };
}

/** A stored audit principal: an object whose `authenticated` is a boolean and whose other fields are text. */
function isPrincipal(value: unknown): value is AuditPrincipal {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const p = value as Record<string, unknown>;
  if (typeof p.authenticated !== 'boolean') return false;
  const texts = ['provider', 'objectId', 'upn', 'displayName', 'via'];
  if (texts.some((k) => p[k] !== undefined && typeof p[k] !== 'string')) return false;
  return p.groups === undefined || (Array.isArray(p.groups) && p.groups.every((g) => typeof g === 'string'));
}

function isStatus(error: unknown, status: number): boolean {
  return error instanceof RestError && error.statusCode === status;
}
