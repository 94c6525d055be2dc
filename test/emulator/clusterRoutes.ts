// Test infrastructure: the Clusters API 2.1 endpoints (api-contract.md "Clusters").
import { ApiError } from './ApiError';
import type { JsonObject } from './JsonValue';
import type { Route } from './Route';

const defaultPageSize = 20;
// The real API says the server may lower page_size further; it does not refuse a larger one.
const maxPageSize = 100;

export const clusterRoutes: Record<string, Route> = {
  '2.1/clusters/list': {
    method: 'GET',
    handle(workspace, request) {
      const pageSize = Math.min(request.optionalInteger('page_size') ?? defaultPageSize, maxPageSize);
      if (pageSize < 1) throw ApiError.invalidParameter('page_size must be positive');
      const token = request.optionalString('page_token');
      const records = workspace.clusters.records();
      const after = token === undefined ? -1 : decodePageToken(token);
      const firstAfter = records.findIndex((cluster) => sequenceOf(cluster.clusterId) > after);
      const start = firstAfter === -1 ? records.length : firstAfter;
      const page = records.slice(start, start + pageSize);
      const last = page.at(-1);
      const result: JsonObject = {};
      if (page.length > 0) result['clusters'] = page.map((cluster) => workspace.clusters.infoOf(cluster));
      if (last && start + pageSize < records.length)
        result['next_page_token'] = encodePageToken(last.clusterId);
      return result;
    },
  },
  '2.1/clusters/get': {
    method: 'GET',
    handle(workspace, request) {
      return workspace.clusters.info(request.string('cluster_id'));
    },
  },
  '2.1/clusters/create': {
    method: 'POST',
    handle(workspace, request) {
      return { cluster_id: workspace.clusters.create(request.body) };
    },
  },
  '2.1/clusters/edit': {
    method: 'POST',
    handle(workspace, request) {
      request.string('cluster_id');
      workspace.clusters.edit(request.body);
      return {};
    },
  },
  '2.1/clusters/start': {
    method: 'POST',
    handle(workspace, request) {
      workspace.clusters.start(request.string('cluster_id'));
      return {};
    },
  },
  '2.1/clusters/delete': {
    method: 'POST',
    handle(workspace, request) {
      workspace.clusters.terminate(request.string('cluster_id'));
      return {};
    },
  },
  '2.1/clusters/permanent-delete': {
    method: 'POST',
    handle(workspace, request) {
      workspace.clusters.permanentDelete(request.string('cluster_id'));
      return {};
    },
  },
};

// A token names the last cluster of its page by creation sequence (the id's suffix), so deleting a
// cluster between pages neither skips nor repeats any.
function sequenceOf(clusterId: string): number {
  return parseInt(clusterId.slice(-7), 36);
}

function encodePageToken(lastClusterId: string): string {
  return Buffer.from(`clusters:${sequenceOf(lastClusterId)}`).toString('base64url');
}

function decodePageToken(token: string): number {
  const match = /^clusters:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match?.[1]) throw ApiError.invalidParameter(`Invalid page_token ${token}`);
  return Number(match[1]);
}
