// Test infrastructure: `node --require test/tools/functions-core-preload.cjs <app entry>` loads a function
// app the way the Azure Functions Node worker does, with nothing from this repository on the module path.
// The worker injects the module `@azure/functions-core` into the app's process (azure-functions-nodejs-worker,
// src/setupCoreModule.ts, which wraps Module.prototype.require); @azure/functions requires it on the first app.* call and
// hands it every registration (`registerFunction(metadata, handler)`) and its programming model
// (`setProgrammingModel`). This preload provides that module through Node's resolver (so it works for the
// copy of @azure/functions in whichever node_modules the app brings), records what the app registers, and
// writes a JSON report to $BRICKLANE_PRELOAD_REPORT when the process exits. Builtins only: it must not make
// anything of this repository's node_modules resolvable. The in-process stand-in for the same module is
// test/sandbox/host/FunctionsCoreShim.ts.
'use strict';
/* global setImmediate, __filename */
const Module = require('node:module');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');

const MODULE_REQUEST = '@azure/functions-core';
// Exists nowhere on disk: require() finds it in the module cache before touching the file system.
const FAKE_FILENAME = join(__dirname, '__azure-functions-core__.js');

const registrations = [];
const hooks = [];
let programmingModel;
let mainLoaded = false;

class Disposable {
  constructor(callOnDispose) {
    this.callOnDispose = callOnDispose;
  }
  static from(...disposables) {
    return new Disposable(() => disposables.forEach((d) => d.dispose()));
  }
  dispose() {
    const callback = this.callOnDispose;
    this.callOnDispose = undefined;
    if (callback) callback();
  }
}

const coreApi = {
  version: '3.10.1-preload',
  hostVersion: '4.1037.0-preload',
  Disposable,
  setProgrammingModel(model) {
    if (!model || typeof model.getInvocationModel !== 'function')
      throw new TypeError('setProgrammingModel: not a programming model');
    programmingModel = model;
  },
  getProgrammingModel() {
    return programmingModel;
  },
  registerFunction(metadata, handler) {
    // The worker refuses registrations once the entry point has loaded ("A function can only be
    // registered during app startup.").
    if (mainLoaded) throw new Error('A function can only be registered during app startup.');
    if (!metadata || typeof metadata.name !== 'string' || typeof metadata.bindings !== 'object')
      throw new TypeError('registerFunction: metadata needs name and bindings');
    if (typeof handler !== 'function')
      throw new TypeError(`registerFunction: "${metadata.name}" has no handler`);
    if (registrations.some((r) => r.name.toLowerCase() === metadata.name.toLowerCase()))
      throw new Error(`A function with the name "${metadata.name}" has already been registered.`);
    registrations.push(JSON.parse(JSON.stringify(metadata)));
    return new Disposable(() => {});
  },
  registerHook(name, callback) {
    if (typeof callback !== 'function') throw new TypeError('registerHook: callback must be a function');
    hooks.push(name);
    return new Disposable(() => {});
  },
  log() {},
};

const cached = new Module(FAKE_FILENAME);
cached.filename = FAKE_FILENAME;
cached.loaded = true;
cached.exports = coreApi;
Module._cache[FAKE_FILENAME] = cached;
const originalResolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === MODULE_REQUEST) return FAKE_FILENAME;
  return originalResolve.call(this, request, ...rest);
};

// The main module has finished loading once the first turn of the event loop runs.
setImmediate(() => {
  mainLoaded = true;
});

process.on('exit', (code) => {
  const report = process.env.BRICKLANE_PRELOAD_REPORT;
  if (!report) return;
  const modules = Object.keys(require.cache).filter((file) => file !== FAKE_FILENAME && file !== __filename);
  writeFileSync(
    report,
    JSON.stringify({
      exitCode: code,
      node: process.version,
      // Since the process started: module loading dominates, as nothing else runs before the app.
      loadedInMs: performance.now(),
      programmingModel: programmingModel
        ? { name: programmingModel.name, version: programmingModel.version }
        : undefined,
      registrations,
      hooks,
      modules,
    }),
  );
});
