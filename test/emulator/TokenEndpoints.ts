// Test infrastructure: where the emulated principals get tokens: the App Service managed-identity endpoint
// (IDENTITY_ENDPOINT / IDENTITY_HEADER) and an AAD v2 authority (client credentials), plus the metadata
// documents MSAL fetches before its first token request against a custom authority host.
import type { HttpAnswer, HttpRequest } from './HttpsEndpoint';
import type { JsonObject } from './JsonValue';
import { TokenIssuer } from './TokenIssuer';

export interface ServicePrincipal {
  clientId: string;
  clientSecret: string;
  objectId: string;
}

export interface ManagedIdentity {
  principalId: string;
  clientId: string;
}

/** Who exists in the emulated tenant; read on every request so tests can change it at any time. */
export interface Directory {
  tenantId: () => string;
  managedIdentity: () => ManagedIdentity;
  identityHeader: string;
  servicePrincipal(clientId: string): ServicePrincipal | undefined;
}

export interface TokenCounters {
  /** Tokens handed out, by endpoint. */
  managedIdentity: number;
  aad: number;
  /** Token requests refused (wrong header, unknown client, bad secret, unknown tenant). */
  refused: number;
  /** Tokens handed out per audience (resource without `/.default`). */
  byAudience: Record<string, number>;
}

// Instance discovery, OpenID metadata and the token endpoint: what MSAL asks the authority.
const authorityPaths = [
  /^\/common\/discovery\/instance\/?$/i,
  /^\/[^/]+\/v2\.0\/\.well-known\/openid-configuration\/?$/i,
  /^\/[^/]+\/oauth2\/v2\.0\/token\/?$/i,
];

export class TokenEndpoints {
  /** IDENTITY_ENDPOINT is this path on the ARM server, as App Service serves it on localhost. */
  static readonly identityPath = '/msi/token';

  private counts = emptyCounters();

  constructor(
    private readonly directory: Directory,
    private readonly issuer: TokenIssuer,
    /** The authority host: the base URL of this server. */
    private readonly baseUrl: () => string,
    private readonly lifetimeInSeconds: number,
  ) {}

  /** The fault stream a request to this server belongs to: `identity`, `token` (the authority), or ARM's. */
  static faultServiceOf(path: string): 'identity' | 'token' | undefined {
    if (path === TokenEndpoints.identityPath) return 'identity';
    return authorityPaths.some((pattern) => pattern.test(path)) ? 'token' : undefined;
  }

  /**
   * Entra's answer to an injected fault, in the OAuth error shape `{error, error_description, error_codes}`
   * it uses for every token endpoint failure; `temporarily_unavailable` is its code for "the server is
   * temporarily too busy to handle the request; retry after a short delay"
   * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes, "Handling error codes").
   * The App Service identity endpoint passes the same shape through.
   */
  static injectedError(status: 429 | 500 | 503 | 504, retryAfterSeconds: number): HttpAnswer {
    const answer: HttpAnswer = {
      status,
      body: {
        error: 'temporarily_unavailable',
        error_description: `Injected fault ${status}: the server is temporarily too busy to handle the request.`,
        error_codes: [],
        timestamp: new Date().toISOString(),
        trace_id: '00000000-0000-0000-0000-000000000000',
        correlation_id: '00000000-0000-0000-0000-000000000000',
      },
    };
    if (status === 429 || status === 503) {
      answer.headers = { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
    }
    return answer;
  }

  /** The answer for token and metadata paths; undefined for anything else (ARM handles it). */
  handle(request: HttpRequest): HttpAnswer | undefined {
    const path = request.url.pathname;
    if (path === TokenEndpoints.identityPath) return this.managedIdentityToken(request);
    if (/^\/common\/discovery\/instance\/?$/i.test(path)) return this.instanceDiscovery();
    const metadata = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration\/?$/i.exec(path);
    if (metadata?.[1] && request.method === 'GET') return this.openIdConfiguration(metadata[1]);
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token\/?$/i.exec(path);
    if (token?.[1]) return this.clientCredentialsToken(token[1], request);
    return undefined;
  }

  counters(): TokenCounters {
    return { ...this.counts, byAudience: { ...this.counts.byAudience } };
  }

  resetCounters(): void {
    this.counts = emptyCounters();
  }

  // App Service answers with expires_on in epoch seconds, as a string
  // (https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference);
  // @azure/identity treats a token without expires_on as already expired.
  private managedIdentityToken(request: HttpRequest): HttpAnswer {
    if (request.method !== 'GET') return this.refuse(405, 'invalid_request', 'Use GET.');
    if (request.headers['x-identity-header'] !== this.directory.identityHeader) {
      return this.refuse(401, 'unauthorized_client', 'The X-IDENTITY-HEADER is missing or wrong.');
    }
    const resource = request.url.searchParams.get('resource');
    if (!resource) return this.refuse(400, 'invalid_request', "The 'resource' query parameter is required.");
    const identity = this.directory.managedIdentity();
    const audience = TokenIssuer.resourceOfScope(resource);
    const { token, claims } = this.issuer.issue({
      audience,
      objectId: identity.principalId,
      tenantId: this.directory.tenantId(),
      appId: identity.clientId,
      version: '1.0',
    });
    this.count('managedIdentity', audience);
    return {
      status: 200,
      body: {
        access_token: token,
        expires_on: String(claims.exp),
        resource: audience,
        token_type: 'Bearer',
        client_id: identity.clientId,
      },
    };
  }

  private clientCredentialsToken(tenant: string, request: HttpRequest): HttpAnswer {
    if (request.method !== 'POST') return this.refuse(405, 'invalid_request', 'Use POST.');
    if (!this.knownTenant(tenant)) {
      return this.refuse(400, 'invalid_tenant', `AADSTS90002: Tenant '${tenant}' not found.`, 90002);
    }
    const form = new URLSearchParams(request.body.toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials') {
      return this.refuse(
        400,
        'unsupported_grant_type',
        'AADSTS70003: The app requested an unsupported grant type.',
        70003,
      );
    }
    const clientId = form.get('client_id') ?? '';
    const principal = this.directory.servicePrincipal(clientId);
    if (!principal) {
      return this.refuse(
        400,
        'unauthorized_client',
        `AADSTS700016: Application with identifier '${clientId}' was not found in the directory ` +
          `'${this.directory.tenantId()}'.`,
        700016,
      );
    }
    if (form.get('client_secret') !== principal.clientSecret) {
      return this.refuse(
        401,
        'invalid_client',
        `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the ` +
          `client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
        7000215,
      );
    }
    const scope = (form.get('scope') ?? '').split(/\s+/).find((entry) => /\/\.default$/i.test(entry));
    if (!scope) {
      return this.refuse(
        400,
        'invalid_scope',
        'AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a ' +
          'scope value with /.default suffixed to the resource identifier (application ID URI).',
        1002012,
      );
    }
    const audience = TokenIssuer.resourceOfScope(scope);
    const { token } = this.issuer.issue({
      audience,
      objectId: principal.objectId,
      tenantId: this.directory.tenantId(),
      appId: principal.clientId,
      version: '2.0',
    });
    this.count('aad', audience);
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: this.lifetimeInSeconds,
        ext_expires_in: this.lifetimeInSeconds,
        access_token: token,
      },
    };
  }

  private openIdConfiguration(tenant: string): HttpAnswer {
    const tenantId = this.knownTenant(tenant) ? this.directory.tenantId() : tenant;
    const base = `${this.baseUrl()}/${tenantId}`;
    return {
      status: 200,
      body: {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        jwks_uri: `${this.baseUrl()}/${tenantId}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${this.baseUrl()}/oidc/userinfo`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'oid', 'tid'],
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
      },
    };
  }

  private instanceDiscovery(): HttpAnswer {
    const host = new URL(this.baseUrl()).host;
    return {
      status: 200,
      body: {
        tenant_discovery_endpoint: `${this.baseUrl()}/${this.directory.tenantId()}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      },
    };
  }

  private knownTenant(tenant: string): boolean {
    return tenant.toLowerCase() === this.directory.tenantId().toLowerCase() || tenant === 'organizations';
  }

  private count(endpoint: 'managedIdentity' | 'aad', audience: string): void {
    this.counts[endpoint] += 1;
    this.counts.byAudience[audience] = (this.counts.byAudience[audience] ?? 0) + 1;
  }

  private refuse(status: number, error: string, description: string, code?: number): HttpAnswer {
    this.counts.refused += 1;
    const body: JsonObject = {
      error,
      error_description: description,
      timestamp: new Date().toISOString(),
      trace_id: '00000000-0000-0000-0000-000000000000',
      correlation_id: '00000000-0000-0000-0000-000000000000',
    };
    if (code !== undefined) body.error_codes = [code];
    return { status, body };
  }
}

function emptyCounters(): TokenCounters {
  return { managedIdentity: 0, aad: 0, refused: 0, byAudience: {} };
}
