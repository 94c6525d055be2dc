// Test infrastructure: the function app of src/index.ts, hosted locally against a LocalWorld: the stand-in
// Functions host serves its HTTP routes and runs its orchestrations, with app settings pointing at the
// emulators. src/ has no sandbox branch: it only sees settings, as in Azure.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { releaseListViewUrl, statusViewUrl } from '../../src/approvals/releaseViewUrl';
import { loadSettings } from '../../src/config/loadSettings';
import type { Settings } from '../../src/config/Settings';
import { BlobEventPump } from './BlobEventPump';
import { FunctionHost, type FunctionHostOptions } from './host/FunctionHost';
import { loadFunctionApp, packageEntry } from './host/loadFunctionApp';
import type { LocalWorld } from './LocalWorld';

export const APP_ENTRY = resolve(__dirname, '..', '..', 'src', 'index.ts');

export interface SandboxAppOptions {
  worldDir?: string;
  /**
   * Host an unpacked deployment package (`npm run package`, unzipped) instead of src/index.ts: its
   * package.json `main`, with its own node_modules, as Azure would run it.
   */
  appDir?: string;
  /** Extra app settings (webhook secrets, source hosts). */
  settings?: Record<string, string>;
  host?: Partial<Omit<FunctionHostOptions, 'app' | 'storageConnectionString' | 'settings' | 'port'>>;
  /** Serve on this port (a restarted worker keeps its address); default: the world's stable port. */
  port?: number;
}

/** What the app needs of the world: its settings and storage (a host process gets them from its parent). */
export type AppWorld = Pick<LocalWorld, 'settings'> & { azurite: { connectionString: string } };

export class SandboxApp {
  private constructor(
    readonly host: FunctionHost,
    readonly settings: Record<string, string>,
    private readonly uploads: BlobEventPump,
    /** What process.env held for each setting before this app set it, put back on stop. */
    private readonly envBefore: Record<string, string | undefined>,
  ) {}

  get url(): string {
    return this.host.url;
  }

  static async start(world: AppWorld, options: SandboxAppOptions = {}): Promise<SandboxApp> {
    // The app must be loaded before anything else registers functions in this process.
    const app = await loadFunctionApp(options.appDir ? packageEntry(options.appDir) : APP_ENTRY);
    const port = options.port ?? (await stablePort(options.worldDir));
    const settings: Record<string, string> = {
      ...world.settings(),
      // The emulated check runs end within a second: the first look at them comes after 1 s, not 10.
      BRICKLANE_CHECKS_POLL_SECONDS: '1',
      AzureWebJobsStorage: world.azurite.connectionString,
      BRICKLANE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      BRICKLANE_APPROVAL_SIGNING_KEYS: signingKey(options.worldDir),
      ...options.settings,
    };
    // Settings are read once per worker process; a new host is a new worker. They go back on stop, so that an app
    // started later in the same test file does not inherit settings it did not ask for.
    const envBefore = Object.fromEntries(Object.keys(settings).map((k) => [k, process.env[k]]));
    Object.assign(process.env, settings);
    const host = await FunctionHost.start({
      ...options.host,
      app,
      port,
      storageConnectionString: world.azurite.connectionString,
      settings,
    });
    // Uploads to the bundles container reach the blob trigger as Event Grid would deliver them.
    const uploads = new BlobEventPump(host, world.azurite.connectionString);
    uploads.start();
    return new SandboxApp(host, settings, uploads, envBefore);
  }

  /**
   * A release's status page for a browser: a signed view link (GET /api/views/{token}), as the app's own
   * pages and notifications hand out, never a link with the function key (it would land in browser
   * history). Signed with the app's own key, so it is the link Azure would give.
   */
  statusLink(releaseId: string): string {
    return (
      statusViewUrl(this.linkSettings, releaseId) ??
      `${this.linkSettings.publicUrl}/api/releases/${releaseId}`
    );
  }

  /**
   * The release list for a browser: a signed list view link (GET /api/views/{token}), as the status pages
   * link to it, never the key-guarded GET /api/releases with the key in it.
   */
  get listUrl(): string {
    return releaseListViewUrl(this.linkSettings) ?? `${this.linkSettings.publicUrl}/api/releases`;
  }

  /** Links are built from the app's own settings, read as the app reads them, by the app's own helpers. */
  private get linkSettings(): Settings {
    return loadSettings(this.settings);
  }

  /** Calls one of the app's HTTP routes with the function key. */
  async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const url = new URL(`${this.host.url}/api/${path}`);
    url.searchParams.set('code', this.host.functionKey);
    const response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // HTML or empty answers stay text.
    }
    return { status: response.status, json };
  }

  async stop(): Promise<void> {
    await this.uploads.stop();
    await this.host.stop();
    for (const [key, value] of Object.entries(this.envBefore)) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  }
}

/** A world keeps its key, so approval links printed before a restart still work after it. */
function signingKey(worldDir: string | undefined): string {
  if (!worldDir) return randomBytes(48).toString('base64');
  const file = join(worldDir, 'approval-signing-key');
  if (!existsSync(file)) {
    mkdirSync(worldDir, { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/** A world reuses its port when it can, so approval links printed before a restart still open. */
async function stablePort(worldDir: string | undefined): Promise<number> {
  const file = worldDir ? join(worldDir, 'app-port') : undefined;
  const previous = file && existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
  const port = previous > 0 && (await isFree(previous)) ? previous : await freePort();
  if (file) writeFileSync(file, String(port));
  return port;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}
