// Test infrastructure: imports an app's composition root (src/index.ts, a test fixture, or the entry point
// of an unpacked deployment package) with our `@azure/functions-core` in place, and returns the functions it
// registered.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FunctionApp } from './FunctionApp';
import { FunctionsCoreShim } from './FunctionsCoreShim';

const loaded = new Map<string, Promise<FunctionApp>>();

/**
 * A module registers its functions once, when first imported, so apps are cached per path: a second host
 * (a restart in a test) reuses the same registrations, as a restarted worker would re-run the same code.
 */
export function loadFunctionApp(entryModulePath: string): Promise<FunctionApp> {
  const path = isAbsolute(entryModulePath) ? entryModulePath : resolve(entryModulePath);
  let app = loaded.get(path);
  if (!app) {
    app = load(path);
    loaded.set(path, app);
  }
  return app;
}

/**
 * The entry point of a function app folder (an unpacked deployment package): the host loads the file named
 * by package.json's `main` (Azure Functions Node.js developer guide, "Registering a function").
 */
export function packageEntry(appDir: string): string {
  const manifestPath = join(resolve(appDir), 'package.json');
  if (!existsSync(manifestPath))
    throw new Error(
      `${appDir} has no package.json: give the folder an unpacked deployment package unzips to`,
    );
  const { main } = JSON.parse(readFileSync(manifestPath, 'utf8')) as { main?: unknown };
  if (typeof main !== 'string' || main === '')
    throw new Error(`${manifestPath} has no "main": the Functions host needs it to find the entry point`);
  const entry = join(resolve(appDir), main);
  if (!existsSync(entry)) throw new Error(`${manifestPath} names "main": ${main}, which is not in ${appDir}`);
  return entry;
}

async function load(path: string): Promise<FunctionApp> {
  const shim = FunctionsCoreShim.install();
  const registrations = await shim.captureRegistrations(() => importEntry(path));
  if (registrations.length === 0)
    throw new Error(
      `${path} registered no functions. If it was imported before loadFunctionApp ran, ` +
        '@azure/functions was already in test mode and dropped the registrations.',
    );
  // The worker asks for capabilities once the app has loaded; that also locks app.setup(). Streaming
  // responses go through a separate HTTP proxy (HttpUri), which this stand-in does not provide.
  const capabilities = (await shim.programmingModel.getCapabilities?.({})) ?? {};
  if ('HttpUri' in capabilities)
    throw new Error(
      `${path} enables HTTP streaming (app.setup({ enableHttpStream: true })), which the sandbox host does not support`,
    );
  return new FunctionApp(path, shim, registrations);
}

/**
 * Compiled CommonJS (a deployment package) is loaded with Node's own require, as the worker does for a
 * non-ESM entry (azure-functions-nodejs-worker src/loadScriptFile.ts): it then resolves @azure/functions and
 * durable-functions from the package's node_modules, never through vitest's or tsx's transforms.
 */
function importEntry(path: string): Promise<unknown> {
  if (path.endsWith('.cjs') || (path.endsWith('.js') && !isEsmPackage(path)))
    return Promise.resolve(createRequire(path)(path));
  // tsx and vitest both resolve a file URL or plain path here; a file URL also works for plain Node ESM.
  return import(process.env.VITEST ? path : pathToFileURL(path).href);
}

/** Node's rule for .js files: the nearest package.json's "type". */
function isEsmPackage(path: string): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest))
      return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type === 'module';
    if (dirname(dir) === dir) return false;
  }
}
