// Test infrastructure: the Files API 2.0 endpoints (https://docs.databricks.com/api/azure/workspace/files), which
// unlike every other endpoint name their object in the URL path and answer in raw bytes and headers:
//   PUT    /api/2.0/fs/files{path}?overwrite=   upload (octet-stream body)       -> 204, no body
//   GET    /api/2.0/fs/files{path}              download                         -> 200, the bytes
//   HEAD   /api/2.0/fs/files{path}              metadata in content-length, last-modified, no body
//   DELETE /api/2.0/fs/files{path}              delete a file
//   PUT    /api/2.0/fs/directories{path}        mkdir -p, idempotent
//   HEAD   /api/2.0/fs/directories{path}        exists?
//   GET    /api/2.0/fs/directories{path}        list `contents` by page_size / page_token
//   DELETE /api/2.0/fs/directories{path}        delete an empty directory
// The state is VolumeStore's. The endpoint name (counters, faults, rate limits) is `2.0/fs/files` or
// `2.0/fs/directories`, as one name per API, never one per path.
import { ApiError } from './ApiError';
import type { JsonObject } from './JsonValue';
import type { RawAnswer, Route } from './Route';
import type { WorkspaceState } from './WorkspaceState';

const FILES = '2.0/fs/files';
const DIRECTORIES = '2.0/fs/directories';
const METHODS = ['GET', 'HEAD', 'PUT', 'DELETE'] as const;

/** `2.0/fs/files` for `/api/2.0/fs/files/Volumes/...`, likewise directories; undefined for other paths. */
export function filesEndpointOf(pathname: string): string | undefined {
  return [FILES, DIRECTORIES].find((endpoint) => pathname.startsWith(`/api/${endpoint}/`));
}

function pathOf(url: URL, endpoint: string): string {
  // Clients percent-encode each segment; the store keys paths as written.
  return decodeURIComponent(url.pathname.slice(`/api/${endpoint}`.length));
}

const filesRoute: Route = {
  method: 'PUT',
  methods: METHODS,
  handle: () => {
    throw new Error('the Files API answers raw (handleRaw)');
  },
  handleRaw(workspace: WorkspaceState, method: string, url: URL, body: Buffer): RawAnswer {
    const path = pathOf(url, FILES);
    const volumes = workspace.volumes;
    switch (method) {
      case 'PUT':
        volumes.upload(path, body, url.searchParams.get('overwrite') !== 'false');
        return { status: 204 };
      case 'DELETE':
        volumes.deleteFile(path);
        return { status: 204 };
      default: {
        const file = volumes.file(path);
        const headers = {
          'content-type': 'application/octet-stream',
          'last-modified': new Date(file.modified).toUTCString(),
        };
        return { status: 200, headers, bytes: file.bytes };
      }
    }
  },
};

const directoriesRoute: Route = {
  method: 'PUT',
  methods: METHODS,
  handle: () => {
    throw new Error('the Files API answers raw (handleRaw)');
  },
  handleRaw(workspace: WorkspaceState, method: string, url: URL): RawAnswer {
    const path = pathOf(url, DIRECTORIES);
    const volumes = workspace.volumes;
    switch (method) {
      case 'PUT':
        volumes.createDirectory(path);
        return { status: 204 };
      case 'DELETE':
        volumes.deleteDirectory(path);
        return { status: 204 };
      case 'HEAD':
        volumes.directory(path);
        return { status: 200 };
      default: {
        const size = url.searchParams.get('page_size');
        if (size !== null && !(Number(size) >= 1)) throw ApiError.invalidParameter(`page_size ${size}`);
        const token = url.searchParams.get('page_token') ?? undefined;
        const page = volumes.list(path, size === null ? undefined : Number(size), token);
        return { status: 200, json: page as unknown as JsonObject };
      }
    }
  },
};

export const filesRoutes: Record<string, Route> = { [FILES]: filesRoute, [DIRECTORIES]: directoriesRoute };
