// Test infrastructure: the data plane of one emulated Key Vault on its own HTTPS port.
// SecretClient takes a vault URL and derives nothing else from it, so each vault gets a plain
// `https://127.0.0.1:<port>/` and the SDK's real challenge flow runs: an unauthenticated first call, a 401
// naming the authority and resource, then the retry with a token. Access is Azure RBAC only (bricklane
// creates vaults with enableRbacAuthorization), checked against the shared role table.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { answerWithFaults, connectionReset } from './FaultInjector';
import type { ServiceFaults } from './FaultInjector';
import { HttpsEndpoint } from './HttpsEndpoint';
import type { HttpAnswer, HttpRequest } from './HttpsEndpoint';
import type { JsonObject } from './JsonValue';
import type { RoleTable } from './RoleTable';
import { TokenIssuer } from './TokenIssuer';

export interface VaultAuth {
  issuer: TokenIssuer;
  roles: RoleTable;
  /** Named in the 401 challenge; SecretClient asks this authority for the token. */
  authorityHost: () => string;
  now: () => number;
  /** Records `<status> <method> <url>` of every request, for tests that pin what the SDK sends. */
  log: (line: string) => void;
  /** The world's faults; the vault draws from the `keyvault` stream. */
  faults?: ServiceFaults;
}

export interface VaultCounters {
  /** Every request, including 401 challenges and refusals. */
  total: number;
  /** Secret writes applied. */
  writes: number;
  /** Authorized secret reads (a value, a 404 SecretNotFound, or a listing). */
  reads: number;
}

export interface SecretVersion {
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  /** Epoch seconds, as Key Vault's attributes carry them. */
  created: number;
}

export interface SavedSecret {
  name: string;
  versions: SecretVersion[];
}

const vaultResource = 'https://vault.azure.net';
const getSecretAction = 'Microsoft.KeyVault/vaults/secrets/getSecret/action';
const setSecretAction = 'Microsoft.KeyVault/vaults/secrets/setSecret/action';
const readMetadataAction = 'Microsoft.KeyVault/vaults/secrets/readMetadata/action';

export class KeyVaultServer {
  private readonly secrets = new Map<string, SavedSecret>();
  private counts: VaultCounters = { total: 0, writes: 0, reads: 0 };
  private endpoint: HttpsEndpoint | undefined;

  /** The token audience the data plane accepts (what the 401 challenge names). */
  static readonly resource = vaultResource;

  private constructor(
    readonly name: string,
    /** The vault's ARM id: the RBAC scope of its secrets. */
    readonly id: string,
    public tenantId: string,
    private readonly auth: VaultAuth,
  ) {}

  /** A preferred port (from a saved world) is reused when free, so saved vault URIs stay valid. */
  static async start(
    options: { name: string; id: string; tenantId: string; port?: number },
    auth: VaultAuth,
  ): Promise<KeyVaultServer> {
    const vault = new KeyVaultServer(options.name, options.id, options.tenantId, auth);
    vault.endpoint = await HttpsEndpoint.start(
      async (request) => {
        const decision = auth.faults?.decide('keyvault', request.url.pathname, request.method !== 'GET');
        const outcome = await answerWithFaults(decision, injectedVaultError, () => vault.handle(request));
        const answer = outcome === connectionReset ? { status: 0, reset: true } : outcome;
        auth.log(
          `${answer.reset ? 'reset' : answer.status} ${request.method} ${vault.uri.replace(/\/$/, '')}${request.url.pathname}${request.url.search}`,
        );
        return answer;
      },
      options.port ?? 0,
      true,
    );
    return vault;
  }

  /** `https://127.0.0.1:<port>/`, with the trailing slash Azure's vaultUri has. */
  get uri(): string {
    return `${this.listening().url}/`;
  }

  get port(): number {
    return this.listening().port;
  }

  async stop(): Promise<void> {
    await this.endpoint?.stop();
  }

  /** Seeds or rotates a secret without HTTP (not counted): "a secret IT put there". */
  setSecret(
    name: string,
    value: string,
    options: { contentType?: string; tags?: Record<string, string> } = {},
  ): SecretVersion {
    checkSecretName(name);
    const secret = this.secrets.get(name.toLowerCase()) ?? { name, versions: [] };
    const version: SecretVersion = {
      version: randomBytes(16).toString('hex'),
      value,
      created: Math.floor(this.auth.now() / 1000),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      ...(options.tags === undefined ? {} : { tags: options.tags }),
    };
    secret.versions.push(version);
    this.secrets.set(name.toLowerCase(), secret);
    return version;
  }

  /** The current value, or undefined. */
  getSecret(name: string): string | undefined {
    return this.secrets.get(name.toLowerCase())?.versions.at(-1)?.value;
  }

  /** Removes a secret with all its versions (tests: "an operator never set it"). */
  deleteSecret(name: string): boolean {
    return this.secrets.delete(name.toLowerCase());
  }

  secretNames(): string[] {
    return [...this.secrets.values()].map((secret) => secret.name).sort();
  }

  counters(): VaultCounters {
    return { ...this.counts };
  }

  resetCounters(): void {
    this.counts = { total: 0, writes: 0, reads: 0 };
  }

  toJSON(): SavedSecret[] {
    return [...this.secrets.values()].map((secret) => ({
      name: secret.name,
      versions: secret.versions.map((version) => ({ ...version })),
    }));
  }

  restore(secrets: SavedSecret[]): void {
    this.secrets.clear();
    for (const secret of secrets) this.secrets.set(secret.name.toLowerCase(), secret);
  }

  private listening(): HttpsEndpoint {
    if (!this.endpoint) throw new Error(`Vault ${this.name} is not listening`);
    return this.endpoint;
  }

  private handle(request: HttpRequest): HttpAnswer {
    this.counts.total += 1;
    if (!request.url.searchParams.get('api-version')) {
      return kvError(400, 'BadParameter', 'The api-version query parameter is missing.');
    }
    const denied = this.authenticate(request.headers);
    if (typeof denied === 'object') return denied;
    const principal = denied;
    const segments = request.url.pathname.split('/').filter(Boolean);
    if (segments[0] !== 'secrets') {
      return kvError(404, 'NotFound', `No operation at ${request.method} ${request.url.pathname}.`);
    }
    const [, name, version] = segments;
    if (request.method === 'GET' && name === undefined) return this.list(principal);
    if (request.method === 'GET' && name !== undefined) return this.read(principal, name, version);
    if (request.method === 'PUT' && name !== undefined && version === undefined) {
      return this.write(principal, name, request.body);
    }
    return kvError(405, 'MethodNotAllowed', `${request.method} ${request.url.pathname} is not supported.`);
  }

  /** The caller's object id, or the 401 answer that makes SecretClient (re)fetch a token. */
  private authenticate(headers: IncomingHttpHeaders): string | HttpAnswer {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
    if (!token) return this.challenge('AKV10000: Request is missing a Bearer or PoP token.');
    const check = this.auth.issuer.verify(token);
    if (!check.ok) return this.challenge(`AKV10013: Invalid token: ${check.reason}`);
    if (!TokenIssuer.audienceMatches(check.claims, vaultResource)) {
      return this.challenge(
        `AKV10022: Invalid audience. Expected ${vaultResource}, found: ${check.claims.aud}.`,
      );
    }
    if (check.claims.tid !== this.tenantId) {
      return this.challenge(
        `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${this.tenantId}/, found ` +
          `https://sts.windows.net/${check.claims.tid}/.`,
      );
    }
    return check.claims.oid;
  }

  private challenge(message: string): HttpAnswer {
    return {
      status: 401,
      body: { error: { code: 'Unauthorized', message } },
      headers: {
        'www-authenticate': `Bearer authorization="${this.auth.authorityHost()}/${this.tenantId}", resource="${vaultResource}"`,
      },
    };
  }

  private forbidden(principal: string, action: string, scope: string): HttpAnswer {
    return {
      status: 403,
      body: {
        error: {
          code: 'Forbidden',
          message:
            `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or ` +
            `role definitions were changed recently, please observe propagation time.\r\nCaller: ` +
            `appid=;oid=${principal};iss=https://sts.windows.net/${this.tenantId}/\r\nAction: '${action}'\r\n` +
            `Resource: '${scope.toLowerCase()}'\r\nAssignment: (not found)\r\nVault: ${this.name};location=`,
          innererror: { code: 'ForbiddenByRbac' },
        },
      },
    };
  }

  private read(principal: string, name: string, version: string | undefined): HttpAnswer {
    const scope = `${this.id}/secrets/${name}`;
    if (!this.auth.roles.allows(principal, getSecretAction, scope, 'dataAction')) {
      return this.forbidden(principal, getSecretAction, scope);
    }
    this.counts.reads += 1;
    const secret = this.secrets.get(name.toLowerCase());
    const found = version ? secret?.versions.find((v) => v.version === version) : secret?.versions.at(-1);
    if (!secret || !found) {
      return kvError(
        404,
        'SecretNotFound',
        version
          ? `A secret with (name/id) ${name}/${version} was not found in this key vault. If you recently ` +
              'deleted this secret you may be able to recover it using the correct recovery command.'
          : `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this ` +
              'secret you may be able to recover it using the correct recovery command. For help ' +
              'resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182',
      );
    }
    return { status: 200, body: this.bundle(secret.name, found, true) };
  }

  private list(principal: string): HttpAnswer {
    if (!this.auth.roles.allows(principal, readMetadataAction, this.id, 'dataAction')) {
      return this.forbidden(principal, readMetadataAction, this.id);
    }
    this.counts.reads += 1;
    const value = [...this.secrets.values()].flatMap((secret) => {
      const latest = secret.versions.at(-1);
      if (!latest) return [];
      const item = this.bundle(secret.name, latest, false);
      return [{ ...item, id: `${this.uri}secrets/${secret.name}` }];
    });
    return { status: 200, body: { value, nextLink: null } };
  }

  private write(principal: string, name: string, body: Buffer): HttpAnswer {
    const scope = `${this.id}/secrets/${name}`;
    if (!this.auth.roles.allows(principal, setSecretAction, scope, 'dataAction')) {
      return this.forbidden(principal, setSecretAction, scope);
    }
    let parsed: { value?: unknown; contentType?: unknown; tags?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      return kvError(400, 'BadParameter', 'The request body is not valid JSON.');
    }
    if (typeof parsed.value !== 'string') return kvError(400, 'BadParameter', 'Property value is required.');
    try {
      checkSecretName(name);
    } catch (error) {
      return kvError(400, 'BadParameter', (error as Error).message);
    }
    const version = this.setSecret(name, parsed.value, {
      ...(typeof parsed.contentType === 'string' ? { contentType: parsed.contentType } : {}),
      ...(isStringRecord(parsed.tags) ? { tags: parsed.tags } : {}),
    });
    this.counts.writes += 1;
    return {
      status: 200,
      body: this.bundle(this.secrets.get(name.toLowerCase())?.name ?? name, version, true),
    };
  }

  private bundle(name: string, version: SecretVersion, withValue: boolean): JsonObject {
    return {
      ...(withValue ? { value: version.value } : {}),
      id: `${this.uri}secrets/${name}/${version.version}`,
      ...(version.contentType === undefined ? {} : { contentType: version.contentType }),
      ...(version.tags === undefined ? {} : { tags: version.tags }),
      attributes: {
        enabled: true,
        created: version.created,
        updated: version.created,
        recoveryLevel: 'Recoverable',
        recoverableDays: 90,
      },
    };
  }
}

/**
 * Key Vault's answer to an injected fault, in its error shape `{error: {code, message}}`
 * (https://learn.microsoft.com/azure/key-vault/general/rest-error-codes); a throttled request is 429 with
 * Retry-After in seconds (https://learn.microsoft.com/azure/key-vault/general/overview-throttling).
 */
function injectedVaultError(status: 429 | 500 | 503 | 504, retryAfterSeconds: number): HttpAnswer {
  const retryAfter = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  const messages = {
    429: ['Throttled', 'Request was not processed because too many requests were received. (injected fault)'],
    500: ['InternalServerError', 'Injected fault: an internal error occurred.'],
    503: ['ServiceUnavailable', 'Injected fault: the service is temporarily unavailable.'],
    504: ['GatewayTimeout', 'Injected fault: the request timed out after it was applied.'],
  } as const;
  const [code, message] = messages[status];
  const answer = kvError(status, code, message);
  if (status === 429 || status === 503) answer.headers = { 'retry-after': retryAfter };
  return answer;
}

function kvError(status: number, code: string, message: string): HttpAnswer {
  return { status, body: { error: { code, message } } };
}

function checkSecretName(name: string): void {
  if (!/^[0-9A-Za-z-]{1,127}$/.test(name)) {
    throw new Error(`Secret name '${name}' is invalid: use 1-127 letters, digits and dashes.`);
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === 'string')
  );
}
