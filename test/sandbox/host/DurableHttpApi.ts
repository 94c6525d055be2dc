// Test infrastructure: the Durable extension's HTTP API (HttpApiHandler.cs in azure-functions-durable-
// extension), served both at the client's rpcBaseUrl and under /runtime/webhooks/durabletask. Status codes
// and bodies follow that handler, because DurableClient (durable-functions 3.5 lib/src/durableClient/
// DurableClient.js) decides by status code: startNew accepts only <= 202, raiseEvent/terminate 202 or 410.
import type { DurableClientInput } from './durableClientInput';
import { eventTypeName, type HistoryEvent } from './HistoryEvent';
import type { DurableExtension, InstanceQuery, InstanceStatus } from './DurableExtension';
import type { RuntimeStatus } from './InstanceRecord';

export interface DurableApiRequest {
  readonly method: string;
  /** The path below the API root, without leading slash: `orchestrators/name/id`, `instances/id`, ... */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface DurableApiResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

const RUNTIME_STATUSES: readonly RuntimeStatus[] = [
  'Pending',
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Terminated',
  'Canceled',
  'Suspended',
];

export class DurableHttpApi {
  constructor(
    private readonly durable: DurableExtension,
    private readonly clientInput: () => DurableClientInput,
  ) {}

  async handle(request: DurableApiRequest): Promise<DurableApiResponse> {
    // The handler trims slashes at both ends, then matches route templates (HttpApiHandler.cs).
    const segments = request.path
      .replace(/^\/+|\/+$/g, '')
      .split('/')
      .map((s) => decodeURIComponent(s));
    const [controller = '', first, second, third] = segments;
    const method = request.method.toUpperCase();
    switch (controller.toLowerCase()) {
      case 'orchestrators':
        // `orchestrators/{functionName}/{instanceId?}`: an id with a `/` (or a `\`, which URL parsers turn
        // into one) adds a segment, matches no route, and gets 404, since DurableClient does not encode ids.
        if (method !== 'POST' || !first || segments.length > 3) return { status: 404 };
        return this.start(first, second || undefined, request.body);
      case 'instances':
        return this.instances(method, first || undefined, second, third, request);
      case 'entities':
        return notSupported('Durable entities are not supported by the sandbox host.');
      default:
        return { status: 404 };
    }
  }

  private async start(
    name: string,
    instanceId: string | undefined,
    body: Buffer,
  ): Promise<DurableApiResponse> {
    let inputJson: string | null = null;
    if (body.length > 0) {
      const text = body.toString('utf8');
      try {
        inputJson = JSON.stringify(JSON.parse(text) as unknown);
      } catch (error) {
        return errorResponse(400, 'Invalid JSON content', error);
      }
    }
    const result = await this.durable.startNew(name, instanceId, inputJson);
    if (!result.ok) {
      // An ArgumentException (unknown function, refused instance id) becomes 400;
      // OrchestrationAlreadyExistsException is not one, so it falls through to the handler's catch-all
      // 500 "Something went wrong while processing your request".
      return result.reason !== 'exists'
        ? errorResponse(
            400,
            'One or more of the arguments submitted is incorrect',
            result.message,
            'System.ArgumentException',
          )
        : errorResponse(
            500,
            'Something went wrong while processing your request',
            result.message,
            'DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException',
          );
    }
    const payload = this.managementPayload(result.instanceId);
    return {
      status: 202,
      headers: { Location: String(payload.statusQueryGetUri), 'Retry-After': '10' },
      body: payload,
    };
  }

  private async instances(
    method: string,
    instanceId: string | undefined,
    operation: string | undefined,
    eventName: string | undefined,
    request: DurableApiRequest,
  ): Promise<DurableApiResponse> {
    const query = request.query;
    if (!instanceId) {
      if (method === 'GET') return this.list(request);
      if (method === 'DELETE') {
        const from = parseDate(query.get('createdTimeFrom'));
        if (!from) return { status: 400, body: "Please provide value for 'createdTimeFrom' parameter." };
        const deleted = await this.durable.purgeWhere({
          createdTimeFrom: from,
          createdTimeTo: parseDate(query.get('createdTimeTo')) ?? new Date(),
          runtimeStatus: parseStatuses(query.get('runtimeStatus')),
        });
        return deleted === 0 ? { status: 404 } : { status: 200, body: { instancesDeleted: deleted } };
      }
      return { status: 404 };
    }
    if (!operation) {
      if (method === 'GET') return this.status(instanceId, query);
      if (method === 'DELETE') {
        const purged = await this.durable.purge(instanceId);
        return purged ? { status: 200, body: { instancesDeleted: 1 } } : { status: 404 };
      }
      return { status: 404 };
    }
    if (method !== 'POST') return { status: 404 };
    switch (operation.toLowerCase()) {
      case 'raiseevent': {
        if (!eventName) return { status: 404 };
        const status = this.durable.status(instanceId);
        if (!status) return { status: 404 };
        if (['Failed', 'Canceled', 'Terminated', 'Completed'].includes(status.runtimeStatus))
          return { status: 410 };
        const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
        if (contentType !== 'application/json')
          return errorResponse(400, 'Only application/json request content is supported');
        let inputJson: string | null = null;
        const text = request.body.toString('utf8');
        if (text.trim() !== '') {
          try {
            inputJson = JSON.stringify(JSON.parse(text) as unknown);
          } catch (error) {
            return errorResponse(400, 'Invalid JSON content', error);
          }
        }
        const result = await this.durable.raiseEvent(instanceId, eventName, inputJson);
        return { status: result === 'accepted' ? 202 : result === 'gone' ? 410 : 404 };
      }
      case 'terminate': {
        const result = await this.durable.terminate(instanceId, query.get('reason') ?? '');
        return { status: result === 'accepted' ? 202 : result === 'gone' ? 410 : 404 };
      }
      case 'rewind':
      case 'restart':
      case 'suspend':
      case 'resume':
        return notSupported(`The ${operation} operation is not supported by the sandbox host.`);
      default:
        return { status: 404 };
    }
  }

  private status(instanceId: string, query: URLSearchParams): DurableApiResponse {
    const status = this.durable.status(instanceId);
    if (!status) return { status: 404 };
    const showHistory = query.get('showHistory')?.toLowerCase() === 'true';
    const showHistoryOutput = query.get('showHistoryOutput')?.toLowerCase() === 'true';
    const showInput = query.get('showInput')?.toLowerCase() !== 'false';
    const body: Record<string, unknown> = payload(status, showInput);
    if (showHistory)
      body.historyEvents = historyForStatus(this.durable.history(instanceId), showHistoryOutput, showInput);
    const running = ['Running', 'Pending', 'ContinuedAsNew', 'Suspended'].includes(status.runtimeStatus);
    if (!running) return { status: 200, body };
    return {
      status: 202,
      headers: { Location: String(this.managementPayload(instanceId).statusQueryGetUri), 'Retry-After': '5' },
      body,
    };
  }

  private list(request: DurableApiRequest): DurableApiResponse {
    const query = request.query;
    const condition: InstanceQuery = {
      runtimeStatus: parseStatuses(query.get('runtimeStatus')),
      ...optional('createdTimeFrom', parseDate(query.get('createdTimeFrom'))),
      ...optional('createdTimeTo', parseDate(query.get('createdTimeTo'))),
      ...optional('instanceIdPrefix', query.get('instanceIdPrefix') ?? undefined),
    };
    const showInput = query.get('showInput')?.toLowerCase() !== 'false';
    const all = this.durable.instances(condition);
    const top = Number.parseInt(query.get('top') ?? '', 10);
    const start = decodeToken(request.headers['x-ms-continuation-token']);
    const end = Number.isInteger(top) && top > 0 ? start + top : all.length;
    const page = all.slice(start, end).map((s) => payload(s, showInput));
    // DurableClient keeps requesting pages while the response carries a continuation token.
    const headers: Record<string, string> =
      end < all.length ? { 'x-ms-continuation-token': encodeToken(end) } : {};
    return { status: 200, headers, body: page };
  }

  private managementPayload(instanceId: string): Record<string, string> {
    const urls = this.clientInput().managementUrls;
    const result: Record<string, string> = {};
    for (const [key, value] of Object.entries(urls)) result[key] = value.replace(/INSTANCEID/g, instanceId);
    return result;
  }
}

/** StatusResponsePayload: times formatted with .NET's "s" format plus "Z" (no fraction). */
function payload(status: InstanceStatus, showInput: boolean): Record<string, unknown> {
  return {
    name: status.name,
    instanceId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    input: showInput ? status.input : null,
    customStatus: status.customStatus,
    output: status.output,
    createdTime: `${status.createdTime.slice(0, 19)}Z`,
    lastUpdatedTime: `${status.lastUpdatedTime.slice(0, 19)}Z`,
  };
}

/**
 * The extension's readable history (DurableClient.ConvertHistoryToJArray, simplified): scheduling events
 * fold into their completions, OrchestratorStarted/Completed are dropped, types become names.
 */
function historyForStatus(
  history: readonly HistoryEvent[],
  showOutput: boolean,
  showInput: boolean,
): unknown[] {
  const scheduled = new Map<number, HistoryEvent>();
  const result: unknown[] = [];
  for (const event of history) {
    const type = eventTypeName(event);
    switch (type) {
      case 'OrchestratorStarted':
      case 'OrchestratorCompleted':
        break;
      case 'TaskScheduled':
      case 'SubOrchestrationInstanceCreated':
        scheduled.set(event.EventId, event);
        break;
      case 'TaskCompleted':
      case 'TaskFailed':
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed': {
        const origin = scheduled.get(event.TaskScheduledId ?? -1);
        result.push({
          EventType: type,
          FunctionName: origin?.Name,
          ScheduledTime: origin?.Timestamp,
          Timestamp: event.Timestamp,
          ...(event.Reason !== undefined ? { Reason: event.Reason, Details: event.Details } : {}),
          ...(showOutput && event.Result !== undefined ? { Result: parseJson(event.Result) } : {}),
        });
        break;
      }
      case 'ExecutionStarted':
        result.push({
          EventType: type,
          FunctionName: event.Name,
          Timestamp: event.Timestamp,
          ...(showInput ? { Input: parseJson(event.Input) } : {}),
        });
        break;
      case 'ExecutionCompleted':
        result.push({
          EventType: type,
          OrchestrationStatus: event.OrchestrationStatus,
          Timestamp: event.Timestamp,
          ...(showOutput ? { Result: parseJson(event.Result) } : {}),
        });
        break;
      case 'EventRaised':
        result.push({
          EventType: type,
          Name: event.Name,
          Timestamp: event.Timestamp,
          ...(showInput ? { Input: parseJson(event.Input) } : {}),
        });
        break;
      default:
        result.push({
          EventType: type,
          Timestamp: event.Timestamp,
          ...(event.FireAt ? { FireAt: event.FireAt } : {}),
        });
    }
  }
  return result;
}

function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function errorResponse(
  status: number,
  message: string,
  error?: unknown,
  exceptionType?: string,
): DurableApiResponse {
  const body: Record<string, unknown> = { Message: message };
  if (error !== undefined) {
    body.ExceptionMessage = error instanceof Error ? error.message : String(error);
    body.ExceptionType = exceptionType ?? (error instanceof Error ? error.name : 'System.Exception');
  }
  return { status, body };
}

function notSupported(message: string): DurableApiResponse {
  return { status: 501, body: { Message: message } };
}

function parseDate(value: string | null): Date | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function parseStatuses(value: string | null): RuntimeStatus[] | undefined {
  if (!value) return undefined;
  const statuses = value
    .split(',')
    .map((s) => s.trim())
    .map((s) => RUNTIME_STATUSES.find((r) => r.toLowerCase() === s.toLowerCase()))
    .filter((s): s is RuntimeStatus => s !== undefined);
  return statuses.length > 0 ? statuses : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

function decodeToken(token: string | undefined): number {
  if (!token) return 0;
  try {
    const value = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    return typeof value.offset === 'number' && value.offset >= 0 ? value.offset : 0;
  } catch {
    return 0;
  }
}
