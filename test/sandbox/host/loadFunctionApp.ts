// Test infrastructure: imports an app's composition root (src/index.ts or a test fixture) with our
// `@azure/functions-core` in place, and returns the functions it registered.
import { isAbsolute, resolve } from 'node:path';
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

async function load(path: string): Promise<FunctionApp> {
  const shim = FunctionsCoreShim.install();
  // tsx and vitest both resolve a file URL or plain path here; a file URL also works for plain Node ESM.
  const specifier = process.env.VITEST ? path : pathToFileURL(path).href;
  const registrations = await shim.captureRegistrations(() => import(specifier));
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
