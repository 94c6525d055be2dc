// Test infrastructure: one HTTPS listener of the Azure emulator (ARM + identity, or one Key Vault).
// The Azure SDKs refuse bearer tokens over plain http ("Bearer token authentication is not permitted for
// non-TLS protected (non-https) URLs", @azure/core-rest-pipeline's bearerTokenAuthenticationPolicy), so
// every endpoint serves the shared self-signed certificate; the handler sees the whole body and answers
// with JSON (or nothing, for HEAD).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { emulatorTls } from './emulatorTls';
import type { JsonObject } from './JsonValue';

export interface HttpRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpAnswer {
  status: number;
  /** Omitted for 204 and HEAD answers. */
  body?: JsonObject;
  headers?: Record<string, string>;
  /** Destroy the connection instead of answering (an injected reset; status and body are ignored). */
  reset?: boolean;
}

export type HttpHandler = (request: HttpRequest) => HttpAnswer | Promise<HttpAnswer>;

// ARM and Key Vault bodies are small JSON documents; anything bigger is a test bug.
const maxBodyBytes = 4 * 1024 * 1024;

export class HttpsEndpoint {
  private stopped = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Port 0 picks a free one; a preferred port that is taken falls back to a free one when `fallback`. */
  static async start(handler: HttpHandler, port = 0, fallback = false): Promise<HttpsEndpoint> {
    const server = createServer(await emulatorTls());
    try {
      await listenOnLoopback(server, port);
    } catch (error) {
      if (!fallback || port === 0) throw error;
      await listenOnLoopback(server, 0);
    }
    const endpoint = new HttpsEndpoint(server, (server.address() as AddressInfo).port);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void serve(handler, req, res));
    return endpoint;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

/** Binds to 127.0.0.1 only: the emulators are reachable from this machine alone. */
export function listenOnLoopback(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function serve(handler: HttpHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let answer: HttpAnswer;
  try {
    const body = await readBody(req);
    answer =
      body === undefined
        ? { status: 413, body: { error: { code: 'RequestEntityTooLarge', message: 'Body too large' } } }
        : await handler({
            method: req.method ?? 'GET',
            // Concatenated, not resolved: `resources.getById` sends `//subscriptions/...`, which
            // `new URL(path, base)` would read as a host name.
            url: new URL(`https://emulator.invalid${req.url ?? '/'}`),
            headers: req.headers,
            body,
          });
  } catch (error) {
    answer = { status: 500, body: { error: { code: 'InternalServerError', message: String(error) } } };
  }
  if (answer.reset) {
    req.socket.destroy();
    return;
  }
  if (res.destroyed || res.headersSent) return;
  const payload = answer.body === undefined || req.method === 'HEAD' ? '' : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...answer.headers,
    ...(payload ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= maxBodyBytes ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}
