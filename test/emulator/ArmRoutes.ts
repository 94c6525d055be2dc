// Test infrastructure: the Azure Resource Manager REST surface bricklane uses: resource groups,
// Microsoft.Databricks/workspaces (with the long-running-operation protocol the SDK polls) and
// Microsoft.KeyVault/vaults. Order per request is ARM's: api-version, authentication, authorization
// (RBAC at the target scope, before existence is revealed), then the operation.
import { randomUUID } from 'node:crypto';
import { ArmResources } from './ArmResources';
import type { ResourceGroupRecord, VaultRecord, WorkspaceRecord } from './ArmResources';
import type { HttpAnswer, HttpRequest } from './HttpsEndpoint';
import type { JsonObject, JsonValue } from './JsonValue';
import { RoleTable } from './RoleTable';
import { TokenIssuer } from './TokenIssuer';

export interface ArmCounters {
  /** Every ARM request (token endpoints excluded), refused ones included. */
  total: number;
  /** PUTs (and other mutations) that were applied. */
  writes: number;
  /** Requests per operation: the RBAC action ('Microsoft.Databricks/workspaces/write', ...). */
  byOperation: Record<string, number>;
}

interface Target {
  /** The RBAC action, also the counter key. */
  action: string;
  /** The ARM id the action is authorized on. */
  scope: string;
  /** Operation polls and unsupported paths: answered without an RBAC check. */
  skipRbac?: boolean;
  run: (principal: string) => HttpAnswer | Promise<HttpAnswer>;
}

interface PendingOperation {
  workspace: WorkspaceRecord;
  /**
   * Polls that still answer InProgress before Succeeded
   * (https://learn.microsoft.com/azure/azure-resource-manager/management/async-operations).
   */
  pollsLeft: number;
}

// ARM accepts tokens for either spelling of its audience.
const armAudiences = ['https://management.azure.com', 'https://management.core.windows.net'];
const skuNames = ['standard', 'premium', 'trial'];
const computeModes = ['Hybrid', 'Serverless'] as const;

export class ArmRoutes {
  private counts: ArmCounters = { total: 0, writes: 0, byOperation: {} };
  private readonly operations = new Map<string, PendingOperation>();
  /**
   * How many polls of a new workspace's operation answer InProgress (azure-contract.md: 1). core-lro waits
   * its 2 s default between polls whatever Retry-After says (0 counts as "no hint"), so 0 makes
   * `beginCreateOrUpdateAndWait` return without waiting unless the caller set updateIntervalInMs.
   */
  inProgressPolls = 1;

  constructor(
    private readonly resources: ArmResources,
    private readonly roles: RoleTable,
    private readonly issuer: TokenIssuer,
    private readonly baseUrl: () => string,
  ) {}

  /**
   * ARM's answer to an injected fault, in its error shape `{error: {code, message}}`. Throttling is 429
   * SubscriptionRequestsThrottled with Retry-After in whole seconds
   * (https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling);
   * a provider that does not answer in time is 504 GatewayTimeout (FaultSpec.ts: a lost answer).
   */
  static injectedError(status: 429 | 500 | 503 | 504, retryAfterSeconds: number): HttpAnswer {
    const retryAfter = String(Math.max(1, Math.ceil(retryAfterSeconds)));
    const answers = {
      429: armError(
        429,
        'SubscriptionRequestsThrottled',
        `Number of requests for subscription exceeded the limit. Please try again after '${retryAfter}' ` +
          'seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling',
      ),
      500: armError(500, 'InternalServerError', 'Injected fault: an internal error occurred.'),
      503: armError(503, 'ServiceUnavailable', 'Injected fault: the service is temporarily unavailable.'),
      504: armError(
        504,
        'GatewayTimeout',
        'Injected fault: the gateway did not receive a response from the resource provider within the ' +
          'specified time period.',
      ),
    };
    const answer = answers[status];
    const headers: Record<string, string> = { 'x-ms-request-id': randomUUID() };
    if (status === 429 || status === 503) headers['retry-after'] = retryAfter;
    return { ...answer, headers };
  }

  static isArmAudience(audience: string): boolean {
    const trimmed = audience.replace(/\/+$/, '').toLowerCase();
    return armAudiences.includes(trimmed);
  }

  counters(): ArmCounters {
    return { ...this.counts, byOperation: { ...this.counts.byOperation } };
  }

  resetCounters(): void {
    this.counts = { total: 0, writes: 0, byOperation: {} };
  }

  async handle(request: HttpRequest): Promise<HttpAnswer> {
    this.counts.total += 1;
    const target = this.route(request);
    this.counts.byOperation[target.action] = (this.counts.byOperation[target.action] ?? 0) + 1;
    const apiVersion = request.url.searchParams.get('api-version');
    if (!apiVersion) {
      return armError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    const principal = this.authenticate(request);
    if (typeof principal !== 'string') return principal;
    if (!target.skipRbac && !this.roles.allows(principal, target.action, target.scope)) {
      return armError(
        403,
        'AuthorizationFailed',
        RoleTable.authorizationFailedMessage(principal, target.action, target.scope),
      );
    }
    const answer = await target.run(principal);
    return { ...answer, headers: { 'x-ms-request-id': randomUUID(), ...answer.headers } };
  }

  private authenticate(request: HttpRequest): string | HttpAnswer {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token) {
      return armError(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
      );
    }
    const check = this.issuer.verify(token);
    if (!check.ok) {
      return check.reason.includes('expired')
        ? armError(
            401,
            'ExpiredAuthenticationToken',
            `The access token expiry UTC time is in the past. ${check.reason}`,
          )
        : armError(401, 'InvalidAuthenticationToken', `The access token is invalid. ${check.reason}`);
    }
    if (!ArmRoutes.isArmAudience(check.claims.aud)) {
      return armError(
        401,
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${check.claims.aud}'. It should ` +
          "exactly match with one of the allowed audiences 'https://management.core.windows.net/'," +
          "'https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.",
      );
    }
    return check.claims.oid;
  }

  private route(request: HttpRequest): Target {
    const method = request.method;
    const segments = request.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const lower = segments.map((segment) => segment.toLowerCase());
    const [, subscriptionId = '', , resourceGroup = '', , provider = '', type = '', name = ''] = segments;
    const verb = method === 'GET' || method === 'HEAD' ? 'read' : method === 'PUT' ? 'write' : method;

    if (lower[0] === 'subscriptions' && lower[2] === 'resourcegroups' && segments.length === 4) {
      const scope = ArmResources.resourceGroupId(subscriptionId, resourceGroup);
      const action = `Microsoft.Resources/subscriptions/resourceGroups/${verb}`;
      if (method === 'PUT')
        return { action, scope, run: () => this.putResourceGroup(request, subscriptionId, resourceGroup) };
      if (method === 'GET' || method === 'HEAD') {
        return { action, scope, run: () => this.getResourceGroup(method, subscriptionId, resourceGroup) };
      }
    }
    if (
      lower[0] === 'subscriptions' &&
      lower[2] === 'resourcegroups' &&
      lower[4] === 'providers' &&
      segments.length === 8
    ) {
      const resourceType = `${lower[5]}/${lower[6]}`;
      const scope = `${ArmResources.resourceGroupId(subscriptionId, resourceGroup)}/providers/${provider}/${type}/${name}`;
      if (resourceType === 'microsoft.databricks/workspaces') {
        const action = `Microsoft.Databricks/workspaces/${verb}`;
        const ids = { subscriptionId, resourceGroup, name };
        if (method === 'PUT') return { action, scope, run: () => this.putWorkspace(request, ids) };
        if (method === 'GET') return { action, scope, run: () => this.getWorkspace(ids) };
      }
      if (resourceType === 'microsoft.keyvault/vaults') {
        const action = `Microsoft.KeyVault/vaults/${verb}`;
        const ids = { subscriptionId, resourceGroup, name };
        if (method === 'PUT') return { action, scope, run: () => this.putVault(request, ids) };
        if (method === 'GET') return { action, scope, run: () => this.getVault(ids) };
      }
    }
    const operation =
      /^\/subscriptions\/([^/]+)\/providers\/microsoft\.databricks\/locations\/[^/]+\/operationstatuses\/([^/]+)$/i.exec(
        request.url.pathname,
      );
    if (operation?.[1] && operation[2] && method === 'GET') {
      const id = operation[2];
      // The caller that started the operation may poll it even with a role on the resource group only.
      return {
        action: 'Microsoft.Databricks/locations/operationstatuses/read',
        scope: `/subscriptions/${operation[1]}`,
        skipRbac: true,
        run: () => this.pollOperation(request.url.pathname, id),
      };
    }
    return {
      action: `${method} (unsupported)`,
      scope: request.url.pathname,
      skipRbac: true,
      run: () =>
        armError(
          lower.includes('providers') ? 400 : 404,
          lower.includes('providers') ? 'InvalidResourceType' : 'NotFound',
          `The emulator does not support ${method} ${request.url.pathname}.`,
        ),
    };
  }

  private putResourceGroup(request: HttpRequest, subscriptionId: string, name: string): HttpAnswer {
    const body = parseBody(request.body);
    if ('error' in body) return body.error;
    const location = body.json.location;
    if (typeof location !== 'string' || !location) {
      return armError(400, 'LocationRequired', 'The location property is required for this definition.');
    }
    if (!/^[-\w._()]{1,90}$/.test(name) || name.endsWith('.')) {
      return armError(
        400,
        'InvalidResourceGroupNameFormat',
        `The provided resource group name '${name}' has these invalid characters or is too long.`,
      );
    }
    const existing = this.resources.resourceGroup(subscriptionId, name);
    if (existing && normalizeLocation(location) !== existing.location) {
      return armError(
        409,
        'InvalidResourceGroupLocation',
        `Invalid resource group location '${normalizeLocation(location)}'. The Resource group already exists in ` +
          `location '${existing.location}'.`,
      );
    }
    const { record, created } = this.resources.putResourceGroup({
      subscriptionId,
      name,
      location: normalizeLocation(location),
      tags: stringRecord(body.json.tags),
    });
    this.counts.writes += 1;
    return { status: created ? 201 : 200, body: resourceGroupJson(record) };
  }

  private getResourceGroup(method: string, subscriptionId: string, name: string): HttpAnswer {
    const record = this.resources.resourceGroup(subscriptionId, name);
    if (method === 'HEAD') return { status: record ? 204 : 404 };
    if (!record) return resourceGroupNotFound(name);
    return { status: 200, body: resourceGroupJson(record) };
  }

  private async putWorkspace(request: HttpRequest, ids: ResourceIds): Promise<HttpAnswer> {
    const body = parseBody(request.body);
    if ('error' in body) return body.error;
    if (!this.resources.resourceGroup(ids.subscriptionId, ids.resourceGroup)) {
      return resourceGroupNotFound(ids.resourceGroup);
    }
    if (!/^[A-Za-z0-9_-]{3,64}$/.test(ids.name)) {
      return armError(
        400,
        'InvalidWorkspaceName',
        `The workspace name '${ids.name}' is invalid: use 3-64 letters, digits, underscores and hyphens.`,
      );
    }
    const location = body.json.location;
    const properties = asObject(body.json.properties);
    const skuName = asObject(body.json.sku).name;
    const managedResourceGroupId = properties.managedResourceGroupId;
    const computeMode = computeModes.find(
      (mode) => mode.toLowerCase() === String(properties.computeMode ?? 'Hybrid').toLowerCase(),
    );
    if (typeof location !== 'string' || !location) {
      return armError(400, 'LocationRequired', 'The location property is required for this definition.');
    }
    if (typeof skuName !== 'string' || !skuNames.includes(skuName.toLowerCase())) {
      return armError(
        400,
        'InvalidSku',
        `The sku '${String(skuName)}' is invalid; use one of ${skuNames.join(', ')}.`,
      );
    }
    if (!computeMode) {
      return armError(
        400,
        'InvalidParameter',
        `properties.computeMode '${String(properties.computeMode)}' is invalid; use Hybrid or Serverless.`,
      );
    }
    if (computeMode === 'Serverless' && managedResourceGroupId !== undefined) {
      return armError(
        400,
        'InvalidParameter',
        'properties.managedResourceGroupId is not allowed in a Serverless ComputeMode workspace.',
      );
    }
    if (
      computeMode === 'Hybrid' &&
      (typeof managedResourceGroupId !== 'string' ||
        !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i.test(managedResourceGroupId))
    ) {
      return armError(
        400,
        'InvalidParameter',
        "properties.managedResourceGroupId must be '/subscriptions/<id>/resourceGroups/<name>' in a Hybrid " +
          'ComputeMode workspace.',
      );
    }
    const managed = typeof managedResourceGroupId === 'string' ? managedResourceGroupId : undefined;
    const existing = this.resources.workspace(ids.subscriptionId, ids.resourceGroup, ids.name);
    if (existing && existing.computeMode !== computeMode) {
      return armError(
        400,
        'InvalidParameter',
        `The compute mode of workspace '${ids.name}' is ${existing.computeMode} and cannot be changed.`,
      );
    }
    if (existing && (existing.managedResourceGroupId ?? '').toLowerCase() !== (managed ?? '').toLowerCase()) {
      return armError(
        400,
        'InvalidParameter',
        `The managed resource group of workspace '${ids.name}' is '${existing.managedResourceGroupId}' and ` +
          'cannot be changed.',
      );
    }
    const taken = this.resources.workspaceByDatabricksName(ids.name.toLowerCase());
    if (!existing && taken) {
      return armError(
        409,
        'Conflict',
        `The emulator already serves workspace '${taken.name}' as '${taken.databricksName}' (names are global here).`,
      );
    }
    const { record, created } = await this.resources.putWorkspace(
      {
        ...ids,
        location: normalizeLocation(location),
        skuName: skuName.toLowerCase(),
        tags: stringRecord(body.json.tags),
        computeMode,
        ...(managed === undefined ? {} : { managedResourceGroupId: managed }),
      },
      this.inProgressPolls > 0 ? 'Accepted' : 'Succeeded',
    );
    this.counts.writes += 1;
    if (!created) return { status: 200, body: this.workspaceJson(record) };
    const operationId = randomUUID();
    this.operations.set(operationId, { workspace: record, pollsLeft: this.inProgressPolls });
    const apiVersion = request.url.searchParams.get('api-version') ?? '';
    const statusUrl =
      `${this.baseUrl()}/subscriptions/${ids.subscriptionId}/providers/Microsoft.Databricks/locations/` +
      `${record.location}/operationStatuses/${operationId}?api-version=${encodeURIComponent(apiVersion)}`;
    return {
      status: 201,
      body: this.workspaceJson(record),
      headers: { 'azure-asyncoperation': statusUrl, 'retry-after': '0' },
    };
  }

  private getWorkspace(ids: ResourceIds): HttpAnswer {
    if (!this.resources.resourceGroup(ids.subscriptionId, ids.resourceGroup)) {
      return resourceGroupNotFound(ids.resourceGroup);
    }
    const record = this.resources.workspace(ids.subscriptionId, ids.resourceGroup, ids.name);
    if (!record) return resourceNotFound('Microsoft.Databricks/workspaces', ids);
    // A caller that polls the resource instead of the operation also sees it finish.
    const pending = [...this.operations.values()].find((operation) => operation.workspace === record);
    if (pending) this.advance(pending);
    return { status: 200, body: this.workspaceJson(record) };
  }

  private pollOperation(path: string, id: string): HttpAnswer {
    const operation = this.operations.get(id);
    if (!operation) return armError(404, 'OperationNotFound', `Operation ${id} was not found.`);
    this.advance(operation);
    const status = operation.workspace.provisioningState === 'Succeeded' ? 'Succeeded' : 'InProgress';
    return { status: 200, body: { id: path, name: id, status } };
  }

  private advance(operation: PendingOperation): void {
    if (operation.pollsLeft > 0) {
      operation.pollsLeft -= 1;
      return;
    }
    this.resources.completeWorkspace(operation.workspace);
  }

  private workspaceJson(record: WorkspaceRecord): JsonObject {
    const succeeded = record.provisioningState === 'Succeeded';
    return {
      id: ArmResources.workspaceId(record),
      name: record.name,
      type: 'Microsoft.Databricks/workspaces',
      location: record.location,
      tags: record.tags,
      sku: { name: record.skuName },
      properties: {
        computeMode: record.computeMode,
        ...(record.managedResourceGroupId === undefined
          ? {}
          : { managedResourceGroupId: record.managedResourceGroupId }),
        provisioningState: record.provisioningState,
        workspaceId: record.workspaceId,
        // Real ARM fills the URL in once the workspace exists, not in the first 201 answer.
        ...(succeeded ? { workspaceUrl: this.resources.workspaceUrl(record) } : {}),
        parameters: {},
      },
    };
  }

  private async putVault(request: HttpRequest, ids: ResourceIds): Promise<HttpAnswer> {
    const body = parseBody(request.body);
    if ('error' in body) return body.error;
    if (!this.resources.resourceGroup(ids.subscriptionId, ids.resourceGroup)) {
      return resourceGroupNotFound(ids.resourceGroup);
    }
    if (!/^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$/.test(ids.name) || ids.name.includes('--')) {
      return armError(
        400,
        'VaultNameNotValid',
        `The vault name '${ids.name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. ` +
          'The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens. ' +
          'Follow this link for more information: https://go.microsoft.com/fwlink/?linkid=2147742',
      );
    }
    const location = body.json.location;
    const properties = asObject(body.json.properties);
    if (typeof location !== 'string' || !location) {
      return armError(400, 'LocationRequired', 'The location property is required for this definition.');
    }
    if (
      typeof properties.tenantId !== 'string' ||
      typeof properties.sku !== 'object' ||
      properties.sku === null
    ) {
      return armError(400, 'BadRequest', 'properties.tenantId and properties.sku are required.');
    }
    const elsewhere = this.resources.vaultRecord(ids.name);
    if (
      elsewhere &&
      ArmResources.vaultId(elsewhere).toLowerCase() !== ArmResources.vaultId(ids).toLowerCase()
    ) {
      return armError(
        409,
        'VaultAlreadyExists',
        `The vault name '${ids.name}' is already in use. Vault names are globally unique so it is possible that ` +
          'the name is already taken.',
      );
    }
    const { record, created } = await this.resources.putVault({
      ...ids,
      location: normalizeLocation(location),
      tags: stringRecord(body.json.tags),
      properties,
    });
    this.counts.writes += 1;
    return { status: created ? 201 : 200, body: this.vaultJson(record) };
  }

  private getVault(ids: ResourceIds): HttpAnswer {
    if (!this.resources.resourceGroup(ids.subscriptionId, ids.resourceGroup)) {
      return resourceGroupNotFound(ids.resourceGroup);
    }
    const record = this.resources.vaultRecord(ids.name);
    if (!record || ArmResources.vaultId(record).toLowerCase() !== ArmResources.vaultId(ids).toLowerCase()) {
      return resourceNotFound('Microsoft.KeyVault/vaults', ids);
    }
    return { status: 200, body: this.vaultJson(record) };
  }

  private vaultJson(record: VaultRecord): JsonObject {
    return {
      id: ArmResources.vaultId(record),
      name: record.name,
      type: 'Microsoft.KeyVault/vaults',
      location: record.location,
      tags: record.tags,
      properties: {
        ...record.properties,
        vaultUri: this.resources.vault(record.name)?.uri ?? '',
        provisioningState: 'Succeeded',
      },
    };
  }
}

interface ResourceIds {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

function armError(status: number, code: string, message: string): HttpAnswer {
  return { status, body: { error: { code, message } } };
}

function resourceGroupNotFound(name: string): HttpAnswer {
  return armError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
}

function resourceNotFound(type: string, ids: ResourceIds): HttpAnswer {
  return armError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${ids.name}' under resource group '${ids.resourceGroup}' was not found. For more ` +
      'details please go to https://aka.ms/ARMResourceNotFoundFix',
  );
}

function resourceGroupJson(record: ResourceGroupRecord): JsonObject {
  return {
    id: ArmResources.resourceGroupId(record.subscriptionId, record.name),
    name: record.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: record.location,
    tags: record.tags,
    ...(record.managedBy ? { managedBy: record.managedBy } : {}),
    properties: { provisioningState: 'Succeeded' },
  };
}

function parseBody(body: Buffer): { json: JsonObject } | { error: HttpAnswer } {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return { json: parsed as JsonObject };
  } catch {
    // Answered below like any other unusable body.
  }
  return {
    error: armError(
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized.',
    ),
  };
}

function asObject(value: JsonValue | undefined): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}

function stringRecord(value: JsonValue | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(asObject(value)).flatMap(([name, entry]) =>
      typeof entry === 'string' ? [[name, entry]] : [],
    ),
  );
}

/** ARM answers 'West Europe' as 'westeurope'. */
function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}
