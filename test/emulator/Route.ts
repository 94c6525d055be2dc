// Test infrastructure: one endpoint of the emulated REST API, keyed by its name (`2.0/workspace/import`).
import type { JsonObject } from './JsonValue';
import type { RequestReader } from './RequestReader';
import type { WorkspaceState } from './WorkspaceState';

export interface Route {
  method: 'GET' | 'POST';
  /** Applies the request to the workspace and returns the 200 body; throws ApiError to refuse. */
  handle(workspace: WorkspaceState, request: RequestReader): JsonObject;
}
