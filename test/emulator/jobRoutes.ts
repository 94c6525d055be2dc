// Test infrastructure: the Jobs API endpoints, served under 2.1 and 2.2 (api-contract.md "Jobs"); what differs
// between the versions (default queueing, paged jobs/get, truncated expand_tasks) is JobStore's.
import { ApiError } from './ApiError';
import type { JobsApiVersion } from './JobStore';
import type { JsonObject } from './JsonValue';
import type { Route } from './Route';

function jobRoutesOf(version: JobsApiVersion): Record<string, Route> {
  return {
    [`${version}/jobs/list`]: {
      method: 'GET',
      handle(workspace, request) {
        const pageToken = request.optionalString('page_token');
        const name = request.optionalString('name');
        const page = workspace.jobs.list(
          {
            limit: request.optionalInteger('limit') ?? 20,
            expandTasks: request.boolean('expand_tasks', false),
            ...(pageToken ? { pageToken } : {}),
            ...(name !== undefined ? { name } : {}),
          },
          version,
        );
        const result: JsonObject = {};
        // Like the real API, an empty result carries no `jobs` key.
        if (page.jobs.length > 0) result['jobs'] = page.jobs;
        result['has_more'] = page.hasMore;
        if (page.nextPageToken) result['next_page_token'] = page.nextPageToken;
        return result;
      },
    },
    [`${version}/jobs/get`]: {
      method: 'GET',
      handle(workspace, request) {
        const jobId = request.integer('job_id');
        return version === '2.2'
          ? workspace.jobs.getPage(jobId, request.optionalString('page_token'))
          : workspace.jobs.get(jobId);
      },
    },
    [`${version}/jobs/create`]: {
      method: 'POST',
      handle(workspace, request) {
        return { job_id: workspace.jobs.create(request.body, version) };
      },
    },
    [`${version}/jobs/reset`]: {
      method: 'POST',
      handle(workspace, request) {
        workspace.jobs.reset(request.integer('job_id'), request.object('new_settings'), version);
        return {};
      },
    },
    [`${version}/jobs/update`]: {
      method: 'POST',
      handle(workspace, request) {
        const fieldsToRemove = request.value('fields_to_remove') ?? [];
        if (!Array.isArray(fieldsToRemove) || !fieldsToRemove.every((f) => typeof f === 'string')) {
          throw ApiError.invalidParameter('fields_to_remove must be an array of strings');
        }
        const newSettings = request.value('new_settings') === undefined ? {} : request.object('new_settings');
        workspace.jobs.update(request.integer('job_id'), newSettings, fieldsToRemove as string[]);
        return {};
      },
    },
    [`${version}/jobs/delete`]: {
      method: 'POST',
      handle(workspace, request) {
        workspace.jobs.delete(request.integer('job_id'));
        return {};
      },
    },
  };
}

export const jobRoutes: Record<string, Route> = { ...jobRoutesOf('2.1'), ...jobRoutesOf('2.2') };
