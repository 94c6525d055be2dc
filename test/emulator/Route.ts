// Test infrastructure: one endpoint of the emulated REST API, keyed by its name (`2.0/workspace/import`).
import type { JsonObject } from './JsonValue';
import type { RequestReader } from './RequestReader';
import type { WorkspaceState } from './WorkspaceState';

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  /** The methods the route answers when it answers more than `method` (the Files API: GET, HEAD, PUT, DELETE). */
  methods?: readonly string[];
  /**
   * false for a POST that changes no deployed object (starting or cancelling a job run): it is counted per
   * endpoint but not in `writes`, and write listeners do not hear of it, so "a redeploy writes nothing" still
   * holds for a release that runs its checks.
   */
  write?: false;
  /** Applies the request to the workspace and returns the 200 body; throws ApiError to refuse. */
  handle(workspace: WorkspaceState, request: RequestReader): JsonObject;
  /**
   * For endpoints that name their object in the URL path and answer bytes or headers (the Files API, whose path
   * continues after the endpoint name): the request as it came, the answer as it goes. Throws ApiError to refuse.
   */
  handleRaw?(workspace: WorkspaceState, method: string, url: URL, body: Buffer): RawAnswer;
}

/** A non-JSON answer: a status, headers, and either raw bytes or a JSON body (or nothing). */
export interface RawAnswer {
  status: number;
  headers?: Record<string, string>;
  bytes?: Buffer;
  json?: JsonObject;
}
