// Test infrastructure: fake GitHub (REST API + codeload) and Azure DevOps (Git items) archive endpoints over
// HTTPS, serving archives built from fixture folders. Three listeners, so the GitHub API and codeload are
// different origins, as api.github.com and codeload.github.com are: the tarball endpoint answers 302 to
// codeload, and the log shows whether a client carried its Authorization header across. Behaviour follows
// the real services where clients depend on it:
// - GitHub: 404 (not 403) for a private repository the token cannot see, 401 "Bad credentials" for an
//   unknown token, 403 without a User-Agent, codeload URLs of private repositories carry their own token.
// - Azure DevOps: bad or missing credentials get 203 with an HTML sign-in page (or a 302 to sign-in, or a
//   401, as configured), TF401019 / TF401175 404s for unknown repositories and commits.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { buildGitHubTarball } from './buildGitHubTarball';
import { buildZip } from './buildZip';
import { collectRepoFiles, type RepoTree } from './collectRepoFiles';
import { emulatorTls } from './emulatorTls';
import { ServiceFaults, answerWithFaults, connectionReset } from './FaultInjector';
import type { FaultKind } from './FaultInjector';
import type { FaultSpec } from './FaultSpec';
import { RequestCounters, type CounterSnapshot } from './RequestCounters';

export type SourceService = 'github' | 'codeload' | 'azureDevOps';

export interface GitHubRepoOptions {
  /** Private repositories are visible only with one of `tokens`. */
  private?: boolean;
  tokens?: string[];
  /** Commit sha -> the repository's files at that commit. */
  commits: Record<string, RepoTree>;
}

export interface AzureRepoOptions {
  organization: string;
  project: string;
  projectId?: string;
  repositoryId: string;
  name: string;
  commits: Record<string, RepoTree>;
  /** PATs that may read it (sent as Basic with any user name). */
  pats?: string[];
  /** Object ids (`oid` claim) of Entra identities that may read it; any valid token when absent. */
  identities?: string[];
}

/** One request as the emulator saw it. Test infrastructure: the Authorization header is kept verbatim. */
export interface SourceRequest {
  service: SourceService;
  method: string;
  path: string;
  query: URLSearchParams;
  authorization?: string;
  userAgent?: string;
  status: number;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

const ENDPOINTS: Record<SourceService, string> = {
  github: 'repos/tarball',
  codeload: 'legacy.tar.gz',
  azureDevOps: 'git/items',
};

/** Azure DevOps' application id: the audience of Entra tokens for it. */
export const AZURE_DEVOPS_AUDIENCE = '499b84ac-1321-427f-aa17-267ca6975798';

export class SourceHostEmulator {
  readonly requests: SourceRequest[] = [];
  /** How Azure DevOps answers bad or missing credentials. The real service mostly answers 203. */
  azureBadAuthAnswer: 203 | 302 | 401 = 203;
  private readonly counters = new Map<SourceService, RequestCounters>();
  private readonly githubRepos = new Map<string, GitHubRepoOptions & { fullName: string }>();
  private readonly azureRepos: AzureRepoOptions[] = [];
  private readonly codeloadTokens = new Set<string>();
  private readonly archives = new Map<string, Promise<Buffer>>();
  private readonly faults = new Map<SourceService, number[]>();
  private readonly seededFaults = new ServiceFaults();

  private constructor(private readonly servers: Record<SourceService, Server>) {
    for (const service of Object.keys(servers) as SourceService[]) {
      this.counters.set(service, new RequestCounters());
    }
  }

  static async start(): Promise<SourceHostEmulator> {
    const tls = await emulatorTls();
    const servers = {
      github: createServer(tls),
      codeload: createServer(tls),
      azureDevOps: createServer(tls),
    };
    const emulator = new SourceHostEmulator(servers);
    for (const [service, server] of Object.entries(servers) as [SourceService, Server][]) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      server.on(
        'request',
        (req: IncomingMessage, res: ServerResponse) => void emulator.serve(service, req, res),
      );
    }
    return emulator;
  }

  /** A GitHub Enterprise Server style API URL (BRICKLANE_GITHUB_API_URL). */
  get githubApiUrl(): string {
    return `${this.origin('github')}/api/v3`;
  }

  get codeloadUrl(): string {
    return this.origin('codeload');
  }

  /** BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL of an emulated organization. */
  organizationUrl(organization: string): string {
    return `${this.origin('azureDevOps')}/${organization}`;
  }

  addGitHubRepo(fullName: string, options: GitHubRepoOptions): void {
    this.githubRepos.set(fullName.toLowerCase(), { ...options, fullName });
  }

  addAzureRepo(options: AzureRepoOptions): void {
    this.azureRepos.push(options);
  }

  /** Answers the next `times` requests to `service` with `status` (fault injection). */
  failNext(service: SourceService, status: number, times = 1): void {
    this.faults.set(service, [...(this.faults.get(service) ?? []), ...Array<number>(times).fill(status)]);
  }

  /**
   * Seeded faults in all three hosts from the spec's `source` stream (archive downloads are reads, so
   * `lost` never applies); `failNext` still goes first. Replaces earlier seeded faults.
   */
  injectFaults(spec: FaultSpec, seed: number): void {
    this.seededFaults.set(spec, seed);
  }

  clearFaults(): void {
    this.seededFaults.clear();
  }

  /** The seeded faults injected so far, per kind. */
  injectedFaults(): Partial<Record<FaultKind | 'spike', number>> {
    return this.seededFaults.injected().source ?? {};
  }

  countersOf(service: SourceService): CounterSnapshot {
    return (this.counters.get(service) as RequestCounters).snapshot();
  }

  requestsTo(service: SourceService): SourceRequest[] {
    return this.requests.filter((r) => r.service === service);
  }

  reset(): void {
    this.requests.length = 0;
    this.faults.clear();
    for (const counters of this.counters.values()) counters.reset();
  }

  /** An unsigned Entra-shaped token for Azure DevOps (the emulator checks claims, not signatures). */
  static entraToken(claims: { oid: string; aud?: string; expiresInSeconds?: number }): string {
    const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + (claims.expiresInSeconds ?? 3600);
    return `${encode({ typ: 'JWT', alg: 'none' })}.${encode({ aud: claims.aud ?? AZURE_DEVOPS_AUDIENCE, oid: claims.oid, exp })}.`;
  }

  async stop(): Promise<void> {
    await Promise.all(
      Object.values(this.servers).map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  private origin(service: SourceService): string {
    return `https://127.0.0.1:${(this.servers[service].address() as AddressInfo).port}`;
  }

  private async serve(service: SourceService, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const counters = this.counters.get(service) as RequestCounters;
    const url = new URL(req.url ?? '/', 'https://emulator.invalid');
    counters.begin(ENDPOINTS[service]);
    let answer: Answer;
    try {
      for await (const _chunk of req) {
        // Archive endpoints take no body; drain whatever came.
      }
      const fault = this.faults.get(service)?.shift();
      if (fault !== undefined) {
        counters.recordFault();
        answer = json(fault, { message: `injected fault ${fault}` });
      } else {
        const decision = this.seededFaults.decide('source', ENDPOINTS[service], false);
        if (decision?.kind) counters.recordFault();
        const outcome = await answerWithFaults(
          decision,
          (status, retryAfterSeconds) => injectedSourceError(service, status, retryAfterSeconds),
          () => this.route(service, req, url),
        );
        if (outcome === connectionReset) {
          counters.end();
          req.socket.destroy();
          return;
        }
        answer = outcome;
      }
    } catch (error) {
      answer = json(500, { message: String(error) });
    }
    this.requests.push({
      service,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      status: answer.status,
    });
    const body = answer.body ?? '';
    res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    counters.end();
  }

  private async route(service: SourceService, req: IncomingMessage, url: URL): Promise<Answer> {
    if (service === 'github') return this.github(req, url);
    if (service === 'codeload') return this.codeload(url);
    return this.azureDevOps(req, url);
  }

  /** GET /api/v3/repos/{owner}/{repo}/tarball/{ref} */
  private github(req: IncomingMessage, url: URL): Answer {
    const notFound = json(404, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/repos/contents#download-a-repository-archive-tar',
      status: '404',
    });
    if (!req.headers['user-agent']) {
      return json(403, {
        message:
          'Request forbidden by administrative rules. Please make sure your request has a User-Agent header',
      });
    }
    const match = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/tarball\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) return notFound;
    const [, owner = '', name = '', ref = ''] = match.map(decodeURIComponent);
    const token = /^(?:Bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const known = [...this.githubRepos.values()].some((r) => r.tokens?.includes(token ?? ''));
    if (req.headers.authorization && !known) {
      return json(401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    }
    const repo = this.githubRepos.get(`${owner}/${name}`.toLowerCase());
    if (!repo || (repo.private && !repo.tokens?.includes(token ?? '')) || !repo.commits[ref]) return notFound;
    const [realOwner = '', realName = ''] = repo.fullName.split('/');
    let location = `${this.codeloadUrl}/${realOwner}/${realName}/legacy.tar.gz/${ref}`;
    if (repo.private) {
      const issued = `GHSAT${randomUUID().replace(/-/g, '')}`;
      this.codeloadTokens.add(issued);
      location += `?token=${issued}`;
    }
    return { status: 302, headers: { location, 'content-type': 'text/html;charset=utf-8' } };
  }

  /** GET /{owner}/{repo}/legacy.tar.gz/{sha}[?token=...] */
  private async codeload(url: URL): Promise<Answer> {
    const notFound: Answer = {
      status: 404,
      headers: { 'content-type': 'text/plain' },
      body: '404: Not Found',
    };
    const match = /^\/([^/]+)\/([^/]+)\/legacy\.tar\.gz\/([0-9a-f]{40})$/.exec(url.pathname);
    if (!match) return notFound;
    const [, owner = '', name = '', sha = ''] = match;
    const repo = this.githubRepos.get(`${owner}/${name}`.toLowerCase());
    const tree = repo?.commits[sha];
    if (!repo || !tree) return notFound;
    if (repo.private && !this.codeloadTokens.has(url.searchParams.get('token') ?? '')) return notFound;
    const top = `${owner}-${name}-${sha.slice(0, 7)}`;
    const archive = await this.archive(`github:${repo.fullName}@${sha}`, async () =>
      buildGitHubTarball(top, sha, await collectRepoFiles(tree)),
    );
    return {
      status: 200,
      headers: {
        'content-type': 'application/x-gzip',
        'content-disposition': `attachment; filename=${top}.tar.gz`,
      },
      body: archive,
    };
  }

  /** GET /{org}/{project}/_apis/git/repositories/{id}/items?path=/&versionDescriptor...&$format=zip */
  private async azureDevOps(req: IncomingMessage, url: URL): Promise<Answer> {
    const match = /^\/([^/]+)\/([^/]+)\/_apis\/git\/repositories\/([^/]+)\/items$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) return json(404, { message: 'The resource cannot be found.' });
    const [, organization = '', project = '', repositoryId = ''] = match.map(decodeURIComponent);
    const q = url.searchParams;
    if (!q.get('api-version')) {
      return json(400, {
        message: 'No api-version was supplied for the "GET" request.',
        typeKey: 'VssVersionNotSpecifiedException',
      });
    }
    if (!this.azureAuthorized(req.headers.authorization, organization)) return this.signIn(url);
    const repo = this.azureRepos.find(
      (r) =>
        r.organization.toLowerCase() === organization.toLowerCase() &&
        [r.project.toLowerCase(), r.projectId?.toLowerCase()].includes(project.toLowerCase()) &&
        r.repositoryId.toLowerCase() === repositoryId.toLowerCase(),
    );
    if (!repo || !this.identityMayRead(req.headers.authorization, repo)) {
      return json(404, {
        $id: '1',
        innerException: null,
        message: `TF401019: The Git repository with name or identifier ${repositoryId} does not exist or you do not have permissions for the operation you are attempting.`,
        typeName:
          'Microsoft.TeamFoundation.Git.Server.GitRepositoryNotFoundException, Microsoft.TeamFoundation.Git.Server',
        typeKey: 'GitRepositoryNotFoundException',
        errorCode: 0,
        eventId: 3000,
      });
    }
    const commit = q.get('versionDescriptor.version') ?? '';
    const tree = repo.commits[commit];
    if (
      q.get('path') !== '/' ||
      q.get('$format') !== 'zip' ||
      q.get('versionDescriptor.versionType') !== 'commit'
    ) {
      return json(400, { message: 'the emulator serves path=/ as $format=zip at a commit only' });
    }
    if (!tree) {
      return json(404, {
        $id: '1',
        innerException: null,
        message: `TF401175: The version descriptor <Commit: ${commit}> could not be resolved to a version on the repository ${repo.name}`,
        typeName:
          'Microsoft.TeamFoundation.Git.Server.GitUnresolvableToCommitException, Microsoft.TeamFoundation.Git.Server',
        typeKey: 'GitUnresolvableToCommitException',
        errorCode: 0,
        eventId: 3000,
      });
    }
    const archive = await this.archive(`azure:${repo.repositoryId}@${commit}`, async () =>
      buildZip(await collectRepoFiles(tree)),
    );
    return {
      status: 200,
      headers: {
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename=${repo.name}.zip`,
      },
      body: archive,
    };
  }

  private azureAuthorized(header: string | undefined, organization: string): boolean {
    const repos = this.azureRepos.filter((r) => r.organization.toLowerCase() === organization.toLowerCase());
    const basic = /^Basic\s+(\S+)$/i.exec(header ?? '')?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const pat = decoded.slice(decoded.indexOf(':') + 1);
      return decoded.includes(':') && repos.some((r) => r.pats?.includes(pat));
    }
    const claims = bearerClaims(header);
    return claims !== undefined && claims.aud === AZURE_DEVOPS_AUDIENCE && claims.exp > Date.now() / 1000;
  }

  private identityMayRead(header: string | undefined, repo: AzureRepoOptions): boolean {
    const claims = bearerClaims(header);
    if (!claims) return true;
    return !repo.identities || repo.identities.includes(claims.oid);
  }

  private signIn(url: URL): Answer {
    const html =
      '<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head>' +
      '<body>Sign in to continue to Azure DevOps.</body></html>';
    if (this.azureBadAuthAnswer === 302) {
      const reply = encodeURIComponent(`https://dev.azure.com${url.pathname}`);
      return {
        status: 302,
        headers: {
          location: `https://spsprodweu5.vssps.visualstudio.com/_signin?realm=dev.azure.com&reply_to=${reply}`,
        },
      };
    }
    if (this.azureBadAuthAnswer === 401) {
      return {
        status: 401,
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'www-authenticate': 'Bearer authorization_uri=https://login.microsoftonline.com/common',
        },
        body: html,
      };
    }
    return { status: 203, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html };
  }

  private archive(key: string, build: () => Promise<Buffer>): Promise<Buffer> {
    let pending = this.archives.get(key);
    if (!pending) {
      pending = build();
      this.archives.set(key, pending);
    }
    return pending;
  }
}

/**
 * Each host's answer to an injected fault. GitHub's REST API answers errors as `{message,
 * documentation_url}` and a rate-limited request with `retry-after` in seconds
 * (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api); codeload answers plain
 * text; Azure DevOps answers `{$id, innerException, message, typeName, typeKey, ...}` and 429 with
 * Retry-After (https://learn.microsoft.com/azure/devops/integrate/concepts/rate-limits).
 */
function injectedSourceError(service: SourceService, status: number, retryAfterSeconds: number): Answer {
  const retryAfter: Record<string, string> =
    status === 429 || status === 503
      ? { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) }
      : {};
  const message = `Injected fault ${status}: ${status === 429 ? 'rate limit exceeded' : 'server error'}`;
  let answer: Answer;
  if (service === 'codeload') answer = { status, headers: { 'content-type': 'text/plain' }, body: message };
  else if (service === 'github')
    answer = json(status, { message, documentation_url: 'https://docs.github.com/rest' });
  else
    answer = json(status, {
      $id: '1',
      innerException: null,
      message,
      typeKey: 'InjectedFault',
      errorCode: 0,
      eventId: 0,
    });
  return { ...answer, headers: { ...answer.headers, ...retryAfter } };
}

function json(status: number, body: object): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}

function bearerClaims(header: string | undefined): { aud?: string; oid: string; exp: number } | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      aud?: string;
      oid?: unknown;
      exp?: unknown;
    };
    return { aud: claims.aud, oid: String(claims.oid ?? ''), exp: Number(claims.exp ?? 0) };
  } catch {
    return undefined;
  }
}
