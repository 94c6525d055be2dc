// I/O (HTTP trigger): GET /api/releases — recent releases, newest first (?top=20).
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ORCHESTRATIONS } from '../activities/contracts';
import { releaseView } from './getRelease';

export async function listReleases(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const top = Math.min(Math.max(Number(request.query.get('top') ?? '20') || 20, 1), 100);
  const since = new Date(Date.now() - 90 * 24 * 3_600_000);
  const all = await df.getClient(context).getStatusBy({ createdTimeFrom: since });
  const releases = all
    .filter((s) => s.name === ORCHESTRATIONS.deployRelease)
    .sort((a, b) => new Date(b.createdTime).getTime() - new Date(a.createdTime).getTime())
    .slice(0, top)
    .map(releaseView);
  return { status: 200, jsonBody: { releases } };
}
