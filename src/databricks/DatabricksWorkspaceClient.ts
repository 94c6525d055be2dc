// I/O: the typed client of one Azure Databricks workspace's REST API (DBFS, Workspace, Clusters 2.1, Jobs 2.1).
// One method = one HTTP call. Every attempt goes through the workspace's RequestScheduler; transient failures
// are retried here, with the safety of each repeat decided per endpoint (see `idempotent` below).
import { performance } from 'node:perf_hooks';
import type { ClusterInfo, ClusterSpec } from './ClusterInfo';
import { classifyNetworkError } from './classifyNetworkError';
import { computeBackoffDelay } from './computeBackoffDelay';
import { createDatabricksApiError } from './createDatabricksApiError';
import type {
  DatabricksClientOptions,
  DatabricksOperationOptions,
  DatabricksRequestInfo,
} from './DatabricksClientOptions';
import type { DatabricksCredential } from './DatabricksCredential';
import {
  DatabricksInvalidRequestError,
  DatabricksNotFoundError,
  DatabricksTransientError,
  type DatabricksApiError,
} from './DatabricksApiError';
import type { DbfsFileInfo } from './DbfsFileInfo';
import { delay } from './delay';
import { getPagedAsyncIterator, type PagedAsyncIterableIterator } from './getPagedAsyncIterator';
import type { JobInfo, JobSettings } from './JobInfo';
import { parseRetryAfter } from './parseRetryAfter';
import { RequestScheduler } from './RequestScheduler';
import type {
  NotebookLanguage,
  WorkspaceExportFormat,
  WorkspaceImportFormat,
  WorkspaceObjectInfo,
} from './WorkspaceObjectInfo';

/** dbfs/put and dbfs/add-block refuse more than 1 MiB of decoded data (MAX_BLOCK_SIZE_EXCEEDED). */
export const DBFS_MAX_BLOCK_SIZE_IN_BYTES = 1_048_576;
/** workspace/import refuses SOURCE notebooks above 10 MiB (MAX_NOTEBOOK_SIZE_EXCEEDED; notebook limitations). */
export const MAX_SOURCE_NOTEBOOK_SIZE_IN_BYTES = 10 * 1_048_576;
/** JUPYTER (.ipynb) imports are allowed up to 100 MiB. */
export const MAX_JUPYTER_NOTEBOOK_SIZE_IN_BYTES = 100 * 1_048_576;

export interface DbfsWriteOptions extends DatabricksOperationOptions {
  overwrite?: boolean;
}

export interface DeleteOptions extends DatabricksOperationOptions {
  recursive?: boolean;
}

export interface WorkspaceImportRequest {
  path: string;
  format: WorkspaceImportFormat;
  /** Required with SOURCE. */
  language?: NotebookLanguage;
  content: Buffer;
  overwrite: boolean;
}

export interface CreateClusterOptions extends DatabricksOperationOptions {
  /**
   * Makes the call safe to repeat: the same token (≤ 64 chars) as a live cluster returns that cluster's id
   * and creates nothing (Clusters API 2.1 `idempotency_token`). Without it an ambiguous failure is not retried.
   */
  idempotencyToken?: string;
}

export interface ListClustersOptions extends DatabricksOperationOptions {
  /** Default 100, the API's maximum. */
  pageSize?: number;
}

export interface ListJobsOptions extends DatabricksOperationOptions {
  /** Include `tasks` and `job_clusters` in each job's settings. */
  expandTasks?: boolean;
  /** Exact job name filter. */
  name?: string;
  /** 1..100, default 100. */
  pageSize?: number;
}

interface RequestSpec {
  method: 'GET' | 'POST';
  version: '2.0' | '2.1';
  /** Without version, e.g. `dbfs/put`: the scheduler's group key and the prefix of error messages. */
  endpoint: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: Record<string, unknown>;
  /**
   * Whether repeating the call after an ambiguous failure (5xx other than 503, lost connection, timeout) is
   * harmless. 429 and 503 mean the server refused the request, and connection-phase errors mean it was never
   * sent, so those are retried for every call.
   */
  idempotent: boolean;
}

type AttemptOutcome =
  | { ok: true; value: Record<string, unknown> }
  | {
      ok: false;
      /** Retrying can help at all. */
      retryable: boolean;
      /** The server certainly did not act on the request, so even a non-idempotent call may be repeated. */
      notActedOn: boolean;
      throttled: boolean;
      retryAfterInMs: number | undefined;
      makeError: (attempts: number, note?: string) => DatabricksApiError;
    };

const DEFAULT_TIMEOUT_IN_MS = 60_000;

export class DatabricksWorkspaceClient {
  /** Normalized, without trailing slash; may carry a path prefix. */
  readonly workspaceUrl: string;
  /** The scheduler every request of this client goes through (shared when passed in options). */
  readonly scheduler: RequestScheduler;
  private readonly credential: DatabricksCredential;
  private readonly fetch: typeof fetch;
  private readonly maxRetries: number;
  private readonly baseDelayInMs: number;
  private readonly maxDelayInMs: number;
  private readonly timeoutInMs: number;
  private readonly onRequest: ((info: DatabricksRequestInfo) => void) | undefined;
  private readonly userAgent: string;

  constructor(workspaceUrl: string, credential: DatabricksCredential, options: DatabricksClientOptions = {}) {
    this.workspaceUrl = normalizeWorkspaceUrl(workspaceUrl);
    this.credential = credential;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.scheduler = options.scheduler ?? new RequestScheduler({ maxInFlight: options.maxInFlight ?? 16 });
    this.maxRetries = options.retry?.maxRetries ?? 8;
    this.baseDelayInMs = options.retry?.baseDelayInMs ?? 200;
    this.maxDelayInMs = options.retry?.maxDelayInMs ?? 20_000;
    this.timeoutInMs = options.timeoutInMs ?? DEFAULT_TIMEOUT_IN_MS;
    this.onRequest = options.onRequest;
    this.userAgent = options.userAgent ?? 'bricklane';
  }

  // ---------------------------------------------------------------- DBFS (API 2.0)

  /** Creates the directory and its parents; an existing directory is fine. */
  async dbfsMkdirs(path: string, options: DatabricksOperationOptions = {}): Promise<void> {
    await this.send(
      { method: 'POST', version: '2.0', endpoint: 'dbfs/mkdirs', body: { path }, idempotent: true },
      options,
    );
  }

  /**
   * Writes a file of at most 1 MiB in one call (parents are created). Larger contents are refused locally:
   * use `uploadDbfsFile`, which streams with create/add-block/close.
   * Retried after ambiguous failures; with `overwrite: false` a repeat of a put that did succeed reports
   * DatabricksAlreadyExistsError.
   */
  async dbfsPut(path: string, contents: Buffer, options: DbfsWriteOptions = {}): Promise<void> {
    if (contents.length > DBFS_MAX_BLOCK_SIZE_IN_BYTES) {
      throw tooLarge(
        'dbfs/put',
        'MAX_BLOCK_SIZE_EXCEEDED',
        `contents of ${path} are ${contents.length} bytes, above the 1 MiB (${DBFS_MAX_BLOCK_SIZE_IN_BYTES} bytes) ` +
          'limit of an inline put; upload it with uploadDbfsFile (create/add-block/close)',
      );
    }
    await this.send(
      {
        method: 'POST',
        version: '2.0',
        endpoint: 'dbfs/put',
        body: { path, contents: contents.toString('base64'), overwrite: options.overwrite ?? false },
        idempotent: true,
      },
      options,
    );
  }

  /**
   * Opens a streaming upload and returns its handle; the file appears only at close. A repeated create leaves
   * at most an orphan handle, which expires after 10 idle minutes (DBFS API create), so it is retried.
   */
  async dbfsCreate(path: string, options: DbfsWriteOptions = {}): Promise<number> {
    const result = await this.send(
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
  }

  /**
   * Appends at most 1 MiB to an open handle. Not idempotent (a repeat appends twice), so an ambiguous failure
   * is thrown as DatabricksTransientError; `uploadDbfsFile` then restarts the upload with a new handle.
   */
  async dbfsAddBlock(handle: number, data: Buffer, options: DatabricksOperationOptions = {}): Promise<void> {
    if (data.length > DBFS_MAX_BLOCK_SIZE_IN_BYTES) {
      throw tooLarge(
        'dbfs/add-block',
        'MAX_BLOCK_SIZE_EXCEEDED',
        `a block is ${data.length} bytes, above the 1 MiB (${DBFS_MAX_BLOCK_SIZE_IN_BYTES} bytes) limit`,
      );
    }
    await this.send(
      {
        method: 'POST',
        version: '2.0',
        endpoint: 'dbfs/add-block',
        body: { handle, data: data.toString('base64') },
        idempotent: false,
      },
      options,
    );
  }

  /** Closes a handle. A repeat of a close that succeeded would fail on the now unknown handle: not retried. */
  async dbfsClose(handle: number, options: DatabricksOperationOptions = {}): Promise<void> {
    await this.send(
      { method: 'POST', version: '2.0', endpoint: 'dbfs/close', body: { handle }, idempotent: false },
      options,
    );
  }

  /** The file's or directory's status, or undefined when nothing exists at `path`. */
  async dbfsGetStatus(
    path: string,
    options: DatabricksOperationOptions = {},
  ): Promise<DbfsFileInfo | undefined> {
    const result = await this.sendOrUndefined(
      { method: 'GET', version: '2.0', endpoint: 'dbfs/get-status', query: { path }, idempotent: true },
      options,
    );
    return result === undefined ? undefined : (result as unknown as DbfsFileInfo);
  }

  /**
   * Deletes a file or directory; a missing path is fine. Large recursive deletes answer 503 PARTIAL_DELETE
   * until done (DBFS API delete), which the retry of 503 covers.
   */
  async dbfsDelete(path: string, options: DeleteOptions = {}): Promise<void> {
    await this.send(
      {
        method: 'POST',
        version: '2.0',
        endpoint: 'dbfs/delete',
        body: { path, recursive: options.recursive ?? false },
        idempotent: true,
      },
      options,
    );
  }

  // ---------------------------------------------------------------- Workspace (API 2.0)

  /** Creates the folder and its parents; an existing folder is fine. */
  async workspaceMkdirs(path: string, options: DatabricksOperationOptions = {}): Promise<void> {
    await this.send(
      { method: 'POST', version: '2.0', endpoint: 'workspace/mkdirs', body: { path }, idempotent: true },
      options,
    );
  }

  /**
   * Imports a notebook (SOURCE with `language`, or JUPYTER) or a workspace file (AUTO). The parent folder must
   * exist. Retried after ambiguous failures, which is safe because bricklane imports with `overwrite: true`;
   * with `overwrite: false` a repeat of an import that did succeed reports DatabricksAlreadyExistsError.
   * Size limits the API would reject are checked locally (10 MiB SOURCE, 100 MiB JUPYTER).
   */
  async workspaceImport(
    request: WorkspaceImportRequest,
    options: DatabricksOperationOptions = {},
  ): Promise<void> {
    if (request.format === 'SOURCE' && request.language === undefined) {
      throw new DatabricksInvalidRequestError({
        code: 'INVALID_PARAMETER_VALUE',
        endpoint: 'workspace/import',
        detail: `importing ${request.path} with format SOURCE needs a language (PYTHON, SQL, SCALA or R)`,
        attempts: 0,
      });
    }
    const limit =
      request.format === 'SOURCE'
        ? MAX_SOURCE_NOTEBOOK_SIZE_IN_BYTES
        : request.format === 'JUPYTER'
          ? MAX_JUPYTER_NOTEBOOK_SIZE_IN_BYTES
          : Infinity;
    if (request.content.length > limit) {
      throw tooLarge(
        'workspace/import',
        'MAX_NOTEBOOK_SIZE_EXCEEDED',
        `${request.path} is ${request.content.length} bytes, above the ${limit / 1_048_576} MiB limit of ` +
          `${request.format} notebooks`,
      );
    }
    await this.send(
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
  }

  /** The object at `path`, or undefined when there is none. */
  async workspaceGetStatus(
    path: string,
    options: DatabricksOperationOptions = {},
  ): Promise<WorkspaceObjectInfo | undefined> {
    const result = await this.sendOrUndefined(
      { method: 'GET', version: '2.0', endpoint: 'workspace/get-status', query: { path }, idempotent: true },
      options,
    );
    return result === undefined ? undefined : (result as unknown as WorkspaceObjectInfo);
  }

  /**
   * Direct children of a folder (empty folder -> []). A missing folder throws DatabricksNotFoundError rather
   * than returning [], so "gone" and "empty" stay distinguishable; callers that treat both alike catch it.
   */
  async listWorkspace(
    path: string,
    options: DatabricksOperationOptions = {},
  ): Promise<WorkspaceObjectInfo[]> {
    const result = await this.send(
      { method: 'GET', version: '2.0', endpoint: 'workspace/list', query: { path }, idempotent: true },
      options,
    );
    // The API omits `objects` for an empty folder.
    const objects = result.objects;
    return Array.isArray(objects) ? (objects as WorkspaceObjectInfo[]) : [];
  }

  /**
   * Deletes an object (a folder needs `recursive` unless empty). A missing path throws
   * DatabricksNotFoundError; a retry after an ambiguous failure can report that too, so pruning callers
   * treat NotFound as done.
   */
  async workspaceDelete(path: string, options: DeleteOptions = {}): Promise<void> {
    await this.send(
      {
        method: 'POST',
        version: '2.0',
        endpoint: 'workspace/delete',
        body: { path, recursive: options.recursive ?? false },
        idempotent: true,
      },
      options,
    );
  }

  /** The object's content in `format` (default SOURCE), decoded. */
  async workspaceExport(
    path: string,
    format: WorkspaceExportFormat = 'SOURCE',
    options: DatabricksOperationOptions = {},
  ): Promise<Buffer> {
    const result = await this.send(
      {
        method: 'GET',
        version: '2.0',
        endpoint: 'workspace/export',
        query: { path, format },
        idempotent: true,
      },
      options,
    );
    const content = result.content;
    return Buffer.from(typeof content === 'string' ? content : '', 'base64');
  }

  // ---------------------------------------------------------------- Clusters (API 2.1)

  /**
   * All clusters, one page request at a time following `next_page_token`. clusters/list also returns job
   * clusters (`cluster_source: JOB`), which callers filter out.
   */
  listClusters(options: ListClustersOptions = {}): PagedAsyncIterableIterator<ClusterInfo> {
    return getPagedAsyncIterator(async (pageToken) => {
      const result = await this.send(
        {
          method: 'GET',
          version: '2.1',
          endpoint: 'clusters/list',
          query: { page_size: options.pageSize ?? 100, page_token: pageToken },
          idempotent: true,
        },
        options,
      );
      return {
        items: Array.isArray(result.clusters) ? (result.clusters as ClusterInfo[]) : [],
        continuationToken: optionalString(result.next_page_token),
      };
    }, 'clusters/list');
  }

  /** Throws DatabricksNotFoundError for an unknown id (the API's 400 "Cluster x does not exist"). */
  async getCluster(clusterId: string, options: DatabricksOperationOptions = {}): Promise<ClusterInfo> {
    const result = await this.send(
      {
        method: 'GET',
        version: '2.1',
        endpoint: 'clusters/get',
        query: { cluster_id: clusterId },
        idempotent: true,
      },
      options,
    );
    return result as unknown as ClusterInfo;
  }

  /** Creates a cluster (it starts, PENDING -> RUNNING) and returns its id. */
  async createCluster(spec: ClusterSpec, options: CreateClusterOptions = {}): Promise<string> {
    const token = options.idempotencyToken;
    if (token !== undefined && (token.length === 0 || token.length > 64)) {
      throw new DatabricksInvalidRequestError({
        code: 'INVALID_PARAMETER_VALUE',
        endpoint: 'clusters/create',
        detail: `idempotency_token must be 1 to 64 characters, got ${token.length}`,
        attempts: 0,
      });
    }
    const result = await this.send(
      {
        method: 'POST',
        version: '2.1',
        endpoint: 'clusters/create',
        body: token === undefined ? { ...spec } : { ...spec, idempotency_token: token },
        // Only the idempotency token makes a repeated create return the same cluster instead of a second one.
        idempotent: token !== undefined,
      },
      options,
    );
    return requireString(result, 'cluster_id', 'clusters/create');
  }

  /**
   * Replaces the cluster's spec. Allowed in RUNNING (the cluster restarts) or TERMINATED; otherwise
   * DatabricksInvalidStateError. Not retried after ambiguous failures: a repeat would hit the RESTARTING
   * state it caused and report a misleading InvalidState.
   */
  async editCluster(
    clusterId: string,
    spec: ClusterSpec,
    options: DatabricksOperationOptions = {},
  ): Promise<void> {
    await this.send(
      {
        method: 'POST',
        version: '2.1',
        endpoint: 'clusters/edit',
        body: { ...spec, cluster_id: clusterId },
        idempotent: false,
      },
      options,
    );
  }

  /** Starts a TERMINATED cluster. Not retried after ambiguous failures, for the same reason as edit. */
  async startCluster(clusterId: string, options: DatabricksOperationOptions = {}): Promise<void> {
    await this.send(
      {
        method: 'POST',
        version: '2.1',
        endpoint: 'clusters/start',
        body: { cluster_id: clusterId },
        idempotent: false,
      },
      options,
    );
  }

  /** Terminates the cluster (clusters/delete; the cluster stays listed). Terminating a terminated one is a no-op. */
  async deleteCluster(clusterId: string, options: DatabricksOperationOptions = {}): Promise<void> {
    await this.send(
      {
        method: 'POST',
        version: '2.1',
        endpoint: 'clusters/delete',
        body: { cluster_id: clusterId },
        idempotent: true,
      },
      options,
    );
  }

  // ---------------------------------------------------------------- Jobs (API 2.1)

  /** All jobs (or those with exactly `name`), following `has_more` / `next_page_token`. */
  listJobs(options: ListJobsOptions = {}): PagedAsyncIterableIterator<JobInfo> {
    return getPagedAsyncIterator(async (pageToken) => {
      const result = await this.send(
        {
          method: 'GET',
          version: '2.1',
          endpoint: 'jobs/list',
          query: {
            limit: options.pageSize ?? 100,
            page_token: pageToken,
            expand_tasks: options.expandTasks,
            name: options.name,
          },
          idempotent: true,
        },
        options,
      );
      return {
        items: Array.isArray(result.jobs) ? (result.jobs as JobInfo[]) : [],
        continuationToken: result.has_more === true ? optionalString(result.next_page_token) : undefined,
      };
    }, 'jobs/list');
  }

  /** Throws DatabricksNotFoundError for an unknown id (the API's 400 "Job x does not exist"). */
  async getJob(jobId: number, options: DatabricksOperationOptions = {}): Promise<JobInfo> {
    const result = await this.send(
      { method: 'GET', version: '2.1', endpoint: 'jobs/get', query: { job_id: jobId }, idempotent: true },
      options,
    );
    return result as unknown as JobInfo;
  }

  /**
   * Creates a job and returns its id. jobs/create has no idempotency token, so an ambiguous failure is thrown
   * as DatabricksTransientError instead of risking a duplicate job: the caller looks the job up by name
   * (`listJobs({ name })`) before creating again.
   */
  async createJob(settings: JobSettings, options: DatabricksOperationOptions = {}): Promise<number> {
    const result = await this.send(
      { method: 'POST', version: '2.1', endpoint: 'jobs/create', body: { ...settings }, idempotent: false },
      options,
    );
    return requireNumber(result, 'job_id', 'jobs/create');
  }

  /** Replaces all settings of the job (jobs/reset; jobs/update would merge). */
  async resetJob(
    jobId: number,
    settings: JobSettings,
    options: DatabricksOperationOptions = {},
  ): Promise<void> {
    await this.send(
      {
        method: 'POST',
        version: '2.1',
        endpoint: 'jobs/reset',
        body: { job_id: jobId, new_settings: settings },
        idempotent: true,
      },
      options,
    );
  }

  /** Deletes the job. A retry after an ambiguous failure may report DatabricksNotFoundError: treat it as done. */
  async deleteJob(jobId: number, options: DatabricksOperationOptions = {}): Promise<void> {
    await this.send(
      { method: 'POST', version: '2.1', endpoint: 'jobs/delete', body: { job_id: jobId }, idempotent: true },
      options,
    );
  }

  // ---------------------------------------------------------------- transport

  private async sendOrUndefined(
    spec: RequestSpec,
    options: DatabricksOperationOptions,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.send(spec, options);
    } catch (error) {
      if (error instanceof DatabricksNotFoundError) return undefined;
      throw error;
    }
  }

  private async send(
    spec: RequestSpec,
    options: DatabricksOperationOptions,
  ): Promise<Record<string, unknown>> {
    const abortSignal = options.abortSignal;
    const url = this.urlOf(spec);
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const maxAttempts = this.maxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      // Headers per attempt: a refreshing credential hands out a new token when the old one nears expiry.
      const credentialHeaders = await this.credential.getHeaders();
      const outcome = await this.scheduler.run(
        spec.endpoint,
        () => this.attempt(spec, url, body, credentialHeaders, attempt, abortSignal),
        { abortSignal },
      );
      if (outcome.ok) return outcome.value;
      if (!outcome.retryable) throw outcome.makeError(attempt);
      if (!spec.idempotent && !outcome.notActedOn) {
        throw outcome.makeError(
          attempt,
          `not retried: ${spec.endpoint} is not safe to repeat, so check whether it took effect before retrying`,
        );
      }
      if (attempt >= maxAttempts)
        throw outcome.makeError(attempt, `gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}`);
      const delayInMs =
        outcome.retryAfterInMs ?? computeBackoffDelay(attempt, this.baseDelayInMs, this.maxDelayInMs);
      if (outcome.throttled) this.scheduler.reportThrottled(spec.endpoint, delayInMs);
      await delay(delayInMs, abortSignal);
    }
  }

  /**
   * One HTTP exchange; failures come back as data for the retry loop. Throws only when the caller aborts, a
   * success answer is unreadable, or fetch fails for a reason that is not the network.
   */
  private async attempt(
    spec: RequestSpec,
    url: string,
    body: string | undefined,
    credentialHeaders: Record<string, string>,
    attempt: number,
    abortSignal: AbortSignal | undefined,
  ): Promise<AttemptOutcome> {
    // An abort that landed while this request waited for its slot: a listener added now would never fire.
    if (abortSignal?.aborted) throw abortSignal.reason;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`timed out after ${this.timeoutInMs} ms`, 'TimeoutError'));
    }, this.timeoutInMs);
    const onAbort = (): void => controller.abort(abortSignal?.reason);
    abortSignal?.addEventListener('abort', onAbort, { once: true });
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': this.userAgent,
      ...credentialHeaders,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const startedAt = performance.now();
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(url, { method: spec.method, headers, body, signal: controller.signal });
      // The body is read inside the timeout and the scheduler slot: a request is in flight until it is read.
      text = await response.text();
    } catch (error) {
      if (abortSignal?.aborted) throw abortSignal.reason;
      return this.failedExchange(spec, error, timedOut, startedAt, attempt);
    } finally {
      clearTimeout(timer);
      abortSignal?.removeEventListener('abort', onAbort);
    }
    const statusCode = response.status;
    this.report(spec, statusCode, startedAt, attempt, undefined);
    if (response.ok) return { ok: true, value: parseSuccessBody(text, spec.endpoint) };
    const retryAfterInMs =
      statusCode === 429 || statusCode === 503
        ? parseRetryAfter(response.headers.get('retry-after'))
        : undefined;
    const redacted = redact(text, credentialHeaders);
    return {
      ok: false,
      retryable: statusCode === 429 || statusCode >= 500,
      // 429 and 503 are refusals before any work (Azure Databricks rate limits; TEMPORARILY_UNAVAILABLE).
      notActedOn: statusCode === 429 || statusCode === 503,
      throttled: statusCode === 429,
      retryAfterInMs,
      makeError: (attempts, note) =>
        createDatabricksApiError({
          endpoint: spec.endpoint,
          statusCode,
          body: redacted,
          retryAfterInMs,
          attempts,
          note,
        }),
    };
  }

  /** An exchange that produced no complete response: a timeout or a network failure. */
  private failedExchange(
    spec: RequestSpec,
    error: unknown,
    timedOut: boolean,
    startedAt: number,
    attempt: number,
  ): AttemptOutcome {
    if (timedOut) {
      this.report(spec, undefined, startedAt, attempt, 'TIMEOUT');
      return {
        ok: false,
        retryable: true,
        notActedOn: false,
        throttled: false,
        retryAfterInMs: undefined,
        makeError: (attempts, note) =>
          new DatabricksTransientError({
            code: 'TIMEOUT',
            endpoint: spec.endpoint,
            detail: `no answer within ${this.timeoutInMs} ms${note === undefined ? '' : ` (${note})`}`,
            attempts,
          }),
      };
    }
    const network = classifyNetworkError(error);
    if (network === undefined) throw error;
    this.report(spec, undefined, startedAt, attempt, network.code);
    return {
      ok: false,
      retryable: network.transient,
      notActedOn: network.notSent,
      throttled: false,
      retryAfterInMs: undefined,
      makeError: (attempts, note) => {
        const hint = network.transient ? '' : ': check the workspace URL and that its certificate is trusted';
        const init = {
          code: network.code,
          endpoint: spec.endpoint,
          detail: `request failed (${network.code})${hint}${note === undefined ? '' : ` (${note})`}`,
          attempts,
          cause: error,
        };
        return network.transient
          ? new DatabricksTransientError(init)
          : new DatabricksInvalidRequestError(init);
      },
    };
  }

  private report(
    spec: RequestSpec,
    status: number | undefined,
    startedAt: number,
    attempt: number,
    errorCode: string | undefined,
  ): void {
    if (this.onRequest === undefined) return;
    const info: DatabricksRequestInfo = {
      method: spec.method,
      endpoint: spec.endpoint,
      status,
      durationInMs: performance.now() - startedAt,
      attempt,
    };
    if (errorCode !== undefined) info.errorCode = errorCode;
    try {
      this.onRequest(info);
    } catch {
      // A progress hook must never fail a deploy.
    }
  }

  private urlOf(spec: RequestSpec): string {
    let url = `${this.workspaceUrl}/api/${spec.version}/${spec.endpoint}`;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) params.set(key, String(value));
    }
    const query = params.toString();
    if (query !== '') url += `?${query}`;
    return url;
  }
}

function normalizeWorkspaceUrl(workspaceUrl: string): string {
  let url: URL;
  try {
    url = new URL(workspaceUrl);
  } catch {
    throw new TypeError(
      `databricks: workspace URL "${workspaceUrl}" is not a URL (expected https://adb-<id>.<n>.azuredatabricks.net)`,
    );
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  // A bearer token must not travel in clear text; plain http is tolerated only for local fakes.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new TypeError(`databricks: workspace URL ${url.origin} must use https`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new TypeError('databricks: workspace URL must not carry a query or fragment');
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function parseSuccessBody(text: string, endpoint: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DatabricksInvalidRequestError({
      code: 'INVALID_RESPONSE',
      endpoint,
      detail: 'the answer is not a JSON object (is the workspace URL right, or did a proxy answer?)',
    });
  }
  return parsed as Record<string, unknown>;
}

function requireNumber(result: Record<string, unknown>, field: string, endpoint: string): number {
  const value = result[field];
  if (typeof value !== 'number') throw missingField(field, endpoint);
  return value;
}

function requireString(result: Record<string, unknown>, field: string, endpoint: string): string {
  const value = result[field];
  if (typeof value !== 'string' || value === '') throw missingField(field, endpoint);
  return value;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function missingField(field: string, endpoint: string): DatabricksInvalidRequestError {
  return new DatabricksInvalidRequestError({
    code: 'INVALID_RESPONSE',
    endpoint,
    detail: `the answer has no ${field}`,
  });
}

function tooLarge(endpoint: string, code: string, detail: string): DatabricksInvalidRequestError {
  return new DatabricksInvalidRequestError({ code, endpoint, detail, attempts: 0 });
}

/** Removes credential header values from text that may reach error messages (a server echoing a header). */
function redact(text: string, headers: Record<string, string>): string {
  let result = text;
  for (const value of Object.values(headers)) {
    for (const secret of [value, value.replace(/^\w+\s+/, '')]) {
      if (secret.length >= 8) result = result.split(secret).join('***');
    }
  }
  return result;
}
