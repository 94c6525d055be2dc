// Test infrastructure: our stand-in for `@azure/functions-core`, the module the real Node worker injects
// into the app's process. @azure/functions 4.16.5 requires it lazily (tryGetCoreApiLazy) on the first
// app.* call and, finding it, hands every registration to `registerFunction(metadata, handler)` and its
// ProgrammingModel to `setProgrammingModel`, exactly as it does inside the Functions host. Without it
// the library runs in "test mode" and only logs "Skipping call to register function".
import Module from 'node:module';
import { join } from 'node:path';
import type {
  CoreFunctionCallback,
  CoreFunctionMetadata,
  CoreHookCallback,
  CoreHookName,
  CoreLogCategory,
  CoreLogLevel,
  CoreProgrammingModel,
} from './CoreApiTypes';

export interface CapturedRegistration {
  readonly metadata: CoreFunctionMetadata;
  readonly handler: CoreFunctionCallback;
}

export type CoreLogListener = (level: CoreLogLevel, category: CoreLogCategory, message: string) => void;

const MODULE_REQUEST = '@azure/functions-core';
// A path that exists nowhere on disk: Node's require() finds the module in its cache before touching the
// file system, so nothing has to be written into node_modules.
const FAKE_FILENAME = join(__dirname, '__azure-functions-core__.js');
const HOOK_NAMES: readonly CoreHookName[] = [
  'appStart',
  'appTerminate',
  'preInvocation',
  'postInvocation',
  'log',
];

/** Same contract as the worker's Disposable: dispose() runs the callback once. */
class Disposable {
  private callOnDispose: (() => void) | undefined;

  constructor(callOnDispose: () => void) {
    this.callOnDispose = callOnDispose;
  }

  static from(...disposables: { dispose(): void }[]): Disposable {
    return new Disposable(() => disposables.forEach((d) => d.dispose()));
  }

  dispose(): void {
    const callback = this.callOnDispose;
    this.callOnDispose = undefined;
    callback?.();
  }
}

export class FunctionsCoreShim {
  private static instance: FunctionsCoreShim | undefined;
  private model: CoreProgrammingModel | undefined;
  private capture: CapturedRegistration[] | undefined;
  private readonly hooks = new Map<CoreHookName, Set<CoreHookCallback>>(
    HOOK_NAMES.map((n) => [n, new Set()]),
  );
  private readonly logListeners = new Set<CoreLogListener>();

  private constructor() {}

  /**
   * Makes `require('@azure/functions-core')` return our API object. Idempotent. Must run before the app's
   * first app.* call, because @azure/functions caches a failed lookup for the life of the process.
   */
  static install(): FunctionsCoreShim {
    if (FunctionsCoreShim.instance) return FunctionsCoreShim.instance;
    const shim = new FunctionsCoreShim();
    const cached = new Module(FAKE_FILENAME);
    cached.filename = FAKE_FILENAME;
    cached.loaded = true;
    cached.exports = shim.coreApi();
    const moduleInternals = Module as unknown as {
      _cache: Record<string, Module>;
      _resolveFilename: (request: string, ...rest: unknown[]) => string;
    };
    moduleInternals._cache[FAKE_FILENAME] = cached;
    const originalResolve = moduleInternals._resolveFilename;
    moduleInternals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
      if (request === MODULE_REQUEST) return FAKE_FILENAME;
      return originalResolve.call(this, request, ...rest);
    };
    FunctionsCoreShim.instance = shim;
    return shim;
  }

  get programmingModel(): CoreProgrammingModel {
    if (!this.model) throw new Error('@azure/functions never called setProgrammingModel: no app was loaded');
    return this.model;
  }

  /** Registrations made while `load` runs belong to one function app. */
  async captureRegistrations(load: () => Promise<unknown>): Promise<CapturedRegistration[]> {
    if (this.capture) throw new Error('Another function app is being loaded; load apps one at a time');
    const captured: CapturedRegistration[] = [];
    this.capture = captured;
    try {
      await load();
    } finally {
      this.capture = undefined;
    }
    return captured;
  }

  hookCallbacks(name: CoreHookName): CoreHookCallback[] {
    return [...(this.hooks.get(name) ?? [])];
  }

  onLog(listener: CoreLogListener): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  private coreApi(): Record<string, unknown> {
    return {
      version: '3.10.1-sandbox',
      hostVersion: '4.1037.0-sandbox',
      Disposable,
      setProgrammingModel: (model: unknown) => this.setProgrammingModel(model),
      getProgrammingModel: () => this.model,
      registerFunction: (metadata: unknown, handler: unknown) => this.registerFunction(metadata, handler),
      registerHook: (name: unknown, callback: unknown) => this.registerHook(name, callback),
      log: (level: CoreLogLevel, category: CoreLogCategory, message: string) => {
        for (const listener of this.logListeners) listener(level, category, message);
      },
    };
  }

  private setProgrammingModel(model: unknown): void {
    if (!isProgrammingModel(model)) throw new TypeError('setProgrammingModel: not a programming model');
    this.model = model;
  }

  private registerFunction(metadata: unknown, handler: unknown): Disposable {
    // The worker only accepts registrations while the app's entry point loads ("A function can only be
    // registered during app startup."); a late registration is a bug the real host would also reject.
    if (!this.capture) throw new Error('A function can only be registered during app startup.');
    if (!isFunctionMetadata(metadata))
      throw new TypeError('registerFunction: metadata needs name and bindings');
    if (typeof handler !== 'function')
      throw new TypeError(`registerFunction: "${metadata.name}" has no handler`);
    const name = metadata.name;
    if (this.capture.some((r) => r.metadata.name.toLowerCase() === name.toLowerCase()))
      throw new Error(`A function with the name "${name}" has already been registered.`);
    const registration: CapturedRegistration = { metadata, handler: handler as CoreFunctionCallback };
    this.capture.push(registration);
    return new Disposable(() => {});
  }

  private registerHook(name: unknown, callback: unknown): Disposable {
    if (typeof name !== 'string' || !HOOK_NAMES.includes(name as CoreHookName))
      throw new RangeError(`Unrecognized hook "${String(name)}"`);
    if (typeof callback !== 'function') throw new TypeError('registerHook: callback must be a function');
    const set = this.hooks.get(name as CoreHookName);
    const hook = callback as CoreHookCallback;
    set?.add(hook);
    return new Disposable(() => set?.delete(hook));
  }
}

function isProgrammingModel(value: unknown): value is CoreProgrammingModel {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { getInvocationModel?: unknown }).getInvocationModel === 'function'
  );
}

function isFunctionMetadata(value: unknown): value is CoreFunctionMetadata {
  if (typeof value !== 'object' || value === null) return false;
  const { name, bindings } = value as { name?: unknown; bindings?: unknown };
  return typeof name === 'string' && typeof bindings === 'object' && bindings !== null;
}
