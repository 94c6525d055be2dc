// Test infrastructure: the Jobs API 2.1 endpoints (api-contract.md "Jobs").
import type { JsonObject } from './JsonValue';
import type { Route } from './Route';

export const jobRoutes: Record<string, Route> = {
  '2.1/jobs/list': {
    method: 'GET',
    handle(workspace, request) {
      const pageToken = request.optionalString('page_token');
      const name = request.optionalString('name');
      const page = workspace.jobs.list({
        limit: request.optionalInteger('limit') ?? 20,
        expandTasks: request.boolean('expand_tasks', false),
        ...(pageToken ? { pageToken } : {}),
        ...(name !== undefined ? { name } : {}),
      });
      const result: JsonObject = {};
      // Like the real API, an empty result carries no `jobs` key.
      if (page.jobs.length > 0) result['jobs'] = page.jobs;
      result['has_more'] = page.hasMore;
      if (page.nextPageToken) result['next_page_token'] = page.nextPageToken;
      return result;
    },
  },
  '2.1/jobs/get': {
    method: 'GET',
    handle(workspace, request) {
      return workspace.jobs.get(request.integer('job_id'));
    },
  },
  '2.1/jobs/create': {
    method: 'POST',
    handle(workspace, request) {
      return { job_id: workspace.jobs.create(request.body) };
    },
  },
  '2.1/jobs/reset': {
    method: 'POST',
    handle(workspace, request) {
      workspace.jobs.reset(request.integer('job_id'), request.object('new_settings'));
      return {};
    },
  },
  '2.1/jobs/delete': {
    method: 'POST',
    handle(workspace, request) {
      workspace.jobs.delete(request.integer('job_id'));
      return {};
    },
  },
};
