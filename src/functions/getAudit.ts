// I/O (HTTP trigger): GET /api/audit?environment=prod&since=<ISO time>&limit=<n>&continuation=<token> — an
// environment's audit trail as JSON Lines (application/x-ndjson), in the order the events were appended, each
// id once within a page. A page holds at most `limit` events (default 1000, at most 5000); when more may
// follow, the X-Continuation-Token header carries where to go on. The function key guards it, as it guards the
// release list and status (operators and CI); its records carry no secrets (release/AuditEvent.ts).
// https://jsonlines.org (one JSON value per line, UTF-8, "\n" separated)
import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { AuditContinuationError } from '../azure/AuditStore';
import { environmentByName, SettingsError } from '../config/loadSettings';
import { parseAuditQuery } from '../release/parseAuditQuery';
import { appServices } from '../services/appServices';

export const CONTINUATION_HEADER = 'X-Continuation-Token';

export async function getAudit(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const parsed = parseAuditQuery({
    environment: request.query.get('environment'),
    since: request.query.get('since'),
    limit: request.query.get('limit'),
    continuation: request.query.get('continuation'),
  });
  if (!parsed.ok) return badRequest(parsed.problems);
  const { query } = parsed;
  const services = appServices();
  try {
    environmentByName(services.settings, query.environment);
  } catch (error) {
    if (error instanceof SettingsError) return badRequest(error.problems.map((p) => `environment: ${p}`));
    throw error;
  }
  let page;
  try {
    page = await services.audit.read(query.environment, query);
  } catch (error) {
    if (error instanceof AuditContinuationError) return badRequest([error.message]);
    context.error(`getAudit: the ${query.environment} trail could not be read: ${String(error)}`);
    return {
      status: 503,
      jsonBody: { error: 'The audit trail could not be read just now; try again in a few seconds.' },
      headers: { 'Retry-After': '5' },
    };
  }
  return {
    status: 200,
    body: page.events.map((e) => `${JSON.stringify(e)}\n`).join(''),
    headers: {
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Cache-Control': 'no-store',
      ...(page.continuation ? { [CONTINUATION_HEADER]: page.continuation } : {}),
    },
  };
}

function badRequest(problems: string[]): HttpResponseInit {
  return { status: 400, jsonBody: { error: problems.join('; '), problems } };
}

/** Options for `app.http('getAudit', getAuditOptions)`. The function key guards it (operators and CI). */
export const getAuditOptions: HttpFunctionOptions = {
  route: 'audit',
  methods: ['GET'],
  authLevel: 'function',
  handler: getAudit,
};
