// The deployment package `npm run package` builds, checked the way Azure gets it: built once, unzipped into an
// empty folder outside the repository, loaded there by plain Node 22 with only the worker's
// `@azure/functions-core` provided, and run through a whole release (Dev -> QA -> Prod with approvals) by the
// sandbox's `--app` option. Also: azd's ignore-file rules (gitignore semantics) keep the compiled app and
// durable-functions' runtime, and azure.yaml pins what azd deploys.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, sep } from 'node:path';
import { promisify } from 'node:util';
import ignore from 'ignore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../src/sources/loadBundle';
import { APP_ENTRY } from '../sandbox/SandboxApp';
import { loadFunctionApp } from '../sandbox/host/loadFunctionApp';
import { buildDeploymentPackage, NODE22, REPO_ROOT, type BuiltPackage } from './buildDeploymentPackage';
import { functionSignature, type FunctionSignature } from './functionSignature';
import { loadInPlainNode, type PreloadReport } from './loadInPlainNode';
import { unzipPackage } from './unzipPackage';

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  /** Needed only by devDependencies or optional ones (npm's package-lock.json format). */
  devOptional?: boolean;
}
const rootManifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  main: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

// Written from src/index.ts by hand, so a function that silently stops registering (or changes its route,
// methods or auth level) fails here even if both loads below agree with each other.
const HTTP = (route: string, method: string, authLevel: string): Partial<FunctionSignature> => ({
  trigger: 'httpTrigger',
  route,
  methods: [method],
  authLevel,
  extraInputs: ['durableClient'],
});
const EXPECTED: Record<string, Partial<FunctionSignature>> = {
  deployRelease: { trigger: 'orchestrationTrigger' },
  deployEnvironment: { trigger: 'orchestrationTrigger' },
  deployTarget: { trigger: 'orchestrationTrigger' },
  inspectBundle: { trigger: 'activityTrigger' },
  planEnvironment: { trigger: 'activityTrigger' },
  provisionEnvironment: { trigger: 'activityTrigger' },
  applyWave: { trigger: 'activityTrigger' },
  claimEnvironment: { trigger: 'activityTrigger', extraInputs: ['durableClient'] },
  releaseEnvironment: { trigger: 'activityTrigger', extraInputs: ['durableClient'] },
  notify: { trigger: 'activityTrigger' },
  stageSource: { trigger: 'activityTrigger' },
  startChecks: { trigger: 'activityTrigger' },
  readChecks: { trigger: 'activityTrigger' },
  callExternalCheck: { trigger: 'activityTrigger' },
  startRelease: HTTP('releases', 'POST', 'function'),
  listReleases: HTTP('releases', 'GET', 'function'),
  getRelease: HTTP('releases/{id}', 'GET', 'function'),
  viewRelease: HTTP('views/{token}', 'GET', 'anonymous'),
  approvalPage: HTTP('approvals/{token}', 'GET', 'anonymous'),
  approvalDecision: HTTP('approvals/{token}', 'POST', 'anonymous'),
  rollbackLink: { ...HTTP('rollbacks/{token}', 'GET', 'anonymous'), methods: ['GET', 'POST'] },
  githubWebhook: HTTP('webhooks/github', 'POST', 'anonymous'),
  doctor: { ...HTTP('doctor', 'GET', 'function'), extraInputs: [] },
  getAudit: { ...HTTP('audit', 'GET', 'function'), extraInputs: [] },
  purgeHistory: { trigger: 'timerTrigger', schedule: '0 30 3 * * *', extraInputs: ['durableClient'] },
  azureDevOpsWebhook: HTTP('webhooks/azure-devops', 'POST', 'anonymous'),
  startReleaseFromBlob: {
    trigger: 'blobTrigger',
    path: 'bundles/{name}',
    source: 'EventGrid',
    extraInputs: ['durableClient'],
  },
};

const byName = (a: FunctionSignature, b: FunctionSignature): number => a.name.localeCompare(b.name);

describe('the deployment package', () => {
  let outDir = '';
  let unpacked = '';
  let built: BuiltPackage;
  let entries: string[] = [];
  let plain: PreloadReport;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'bricklane-package-'));
    // realpath: the modules the plain Node process reports are real paths.
    unpacked = realpathSync(mkdtempSync(join(tmpdir(), 'bricklane-unpacked-')));
    built = await buildDeploymentPackage(outDir);
    entries = await unzipPackage(built.zipPath, unpacked);
    plain = await loadInPlainNode(unpacked);
  }, 180_000);
  afterAll(() => {
    for (const dir of [outDir, unpacked]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is a zip whose absolute path is the last line the build prints', () => {
    expect(isAbsolute(built.zipPath)).toBe(true);
    expect(built.zipPath).toBe(join(outDir, 'bricklane.zip'));
    expect(statSync(built.zipPath).size).toBeGreaterThan(0);
    expect(built.stdout).toMatch(/package: \d+ files, [\d.]+ MB unpacked, [\d.]+ MB zipped/);
  });

  it('holds the compiled app, host.json and a package.json that keeps main and drops scripts', () => {
    expect(entries).toContain('host.json');
    expect(entries).toContain('dist/src/index.js');
    expect(entries).toContain('node_modules/durable-functions/lib/src/index.js');
    expect(entries).toContain('node_modules/@azure/functions/package.json');
    const shipped = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(shipped.main).toBe(rootManifest.main);
    expect(shipped.dependencies).toEqual(rootManifest.dependencies);
    expect(shipped).not.toHaveProperty('scripts');
    expect(shipped).not.toHaveProperty('devDependencies');
    expect(shipped).not.toHaveProperty('optionalDependencies');
    expect(readFileSync(join(unpacked, 'host.json'), 'utf8')).toBe(
      readFileSync(join(REPO_ROOT, 'host.json'), 'utf8'),
    );
  });

  it('holds no test, no TypeScript source, no source map and nothing of the repository besides the app', () => {
    const topLevel = new Set(entries.map((e) => e.split('/')[0]));
    expect([...topLevel].sort()).toEqual(['dist', 'host.json', 'node_modules', 'package.json']);
    const ownCode = entries.filter((e) => !e.startsWith('node_modules/'));
    expect(ownCode.filter((e) => e.startsWith('dist/') && !/^dist\/src\/.+\.js$/.test(e))).toEqual([]);
    expect(entries.filter((e) => /(^|\/)test\//.test(e) && !e.startsWith('node_modules/'))).toEqual([]);
    expect(entries.filter((e) => /\.map$/.test(e))).toEqual([]);
    expect(entries).not.toContain('.funcignore');
    expect(entries).not.toContain('local.settings.json');
  });

  it('holds exactly the locked production dependencies: no devDependency, no optional Core Tools', () => {
    // A folder with a package.json at a path the lock file names is an installed package (nested ones too).
    const installed = entries
      .filter((e) => e.endsWith('/package.json'))
      .map((e) => e.slice(0, -'/package.json'.length))
      .filter((dir) => lock.packages[dir]);
    const production = Object.entries(lock.packages)
      .filter(([key, e]) => key.startsWith('node_modules/') && !e.dev && !e.optional && !e.devOptional)
      .map(([key]) => key);
    expect(installed.sort()).toEqual(production.sort());
    const devOnly = Object.keys({ ...rootManifest.devDependencies, ...rootManifest.optionalDependencies });
    for (const name of ['vitest', 'tsx', 'typescript', 'azurite', 'playwright-core', 'node', 'eslint'])
      expect(devOnly).toContain(name);
    expect(devOnly).toContain('azure-functions-core-tools');
    for (const name of devOnly) {
      const lockEntry = lock.packages[`node_modules/${name}`];
      // A devDependency that production code also needs (none today) would rightly ship.
      if (lockEntry && !lockEntry.dev && !lockEntry.optional && !lockEntry.devOptional) continue;
      expect(
        entries.filter((e) => e.startsWith(`node_modules/${name}/`)),
        name,
      ).toEqual([]);
    }
  });

  it('loads under plain Node 22 from the unpacked folder, resolving every module inside it', () => {
    expect(plain.node).toMatch(/^v22\./);
    expect(plain.exitCode).toBe(0);
    expect(plain.programmingModel?.name).toBe('@azure/functions');
    expect(plain.modules.length).toBeGreaterThan(100);
    expect(plain.modules.filter((file) => !file.startsWith(unpacked + sep))).toEqual([]);
    expect(plain.modules).toContain(join(unpacked, 'dist', 'src', 'index.js'));
    expect(
      plain.modules.some((f) =>
        f.startsWith(join(unpacked, 'node_modules', 'durable-functions', 'lib', 'src')),
      ),
    ).toBe(true);
  });

  it('registers every function of src/index.ts with the same trigger, route, methods and auth level', async () => {
    const fromPackage = plain.registrations.map(functionSignature).sort(byName);
    // The same composition root loaded in this process from the TypeScript sources.
    const fromSources = (await loadFunctionApp(APP_ENTRY)).functions
      .map((fn) => functionSignature(fn.metadata))
      .sort(byName);
    expect(fromPackage).toEqual(fromSources);
    expect(fromPackage.map((f) => f.name).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const fn of fromPackage)
      expect(fn, fn.name).toMatchObject({ extraInputs: [], ...EXPECTED[fn.name] });
  });

  it('runs a whole release, Dev then QA and Prod after approvals, in the sandbox hosting the unpacked package', async () => {
    const stateOut = join(outDir, 'sandbox-state.json');
    const { stdout } = await promisify(execFile)(
      NODE22,
      [
        join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(REPO_ROOT, 'test', 'sandbox', 'main.ts'),
        '--app',
        unpacked,
        '--approve',
        'all',
        '--state-out',
        stateOut,
      ],
      // NODE_EXTRA_CA_CERTS (the emulator's CA) comes from the test runner's environment.
      { cwd: REPO_ROOT, env: process.env, timeout: 120_000 },
    );
    expect(stdout).toContain(`function app from the package in ${unpacked}`);
    const state = JSON.parse(readFileSync(stateOut, 'utf8')) as {
      environments: Record<string, { notebooks: Record<string, unknown> }>;
      releases: {
        state: string;
        stages: { environment: string; state: string; approval?: { decision?: string } }[];
      }[];
    };
    const release = state.releases[0];
    expect(release?.state).toBe('succeeded');
    expect(release?.stages.map((s) => [s.environment, s.state, s.approval?.decision])).toEqual([
      ['dev', 'succeeded', undefined],
      ['qa', 'succeeded', 'approve'],
      ['prod', 'succeeded', 'approve'],
    ]);
    const bundle = (await loadBundle(join(REPO_ROOT, 'artifacts'))).bundle;
    const targets = (bundle?.notebooks ?? []).map((n) => n.target).sort();
    expect(targets.length).toBeGreaterThan(0);
    for (const env of ['dev', 'qa', 'prod'])
      expect(Object.keys(state.environments[env]?.notebooks ?? {}).sort(), env).toEqual(targets);
  }, 150_000);

  describe('ignore files, read with gitignore rules as azd and Core Tools read them', () => {
    const rules = (file: string): ReturnType<typeof ignore> => ignore().add(readFileSync(file, 'utf8'));

    it('the rules library matches a slash-free pattern at any depth (the trap the root file avoids)', () => {
      // gitignore: "If there is no separator at the beginning or middle of the pattern, then the pattern may
      // also match at any level below the .gitignore level" (git-scm.com/docs/gitignore); go-gitignore, used
      // by azd, follows it.
      expect(ignore().add('src').ignores('dist/src/index.js')).toBe(true);
      expect(ignore().add('/src').ignores('dist/src/index.js')).toBe(false);
    });

    it('the root .funcignore keeps the compiled app, durable-functions and node_modules, and drops sources', () => {
      const root = rules(join(REPO_ROOT, '.funcignore'));
      expect(root.ignores('dist/src/index.js')).toBe(false);
      expect(root.ignores('node_modules/durable-functions/lib/src/index.js')).toBe(false);
      expect(root.ignores('node_modules/@azure/functions/dist/azure-functions.js')).toBe(false);
      // azd refuses `remoteBuild: false` when the ignore file excludes node_modules
      // (service_target_functionapp.go, resolveFunctionAppRemoteBuild).
      expect(root.ignores('node_modules/')).toBe(false);
      expect(root.ignores('src/index.ts')).toBe(true);
      expect(root.ignores('test/package/deploymentPackage.test.ts')).toBe(true);
      expect(root.ignores('.cache/package/app/host.json')).toBe(true);
      expect(root.ignores('node_modules/node/bin/node')).toBe(true);
    });

    it('the ignore file azd reads in the package folder keeps every file of the package', () => {
      const packaged = rules(join(built.appDir, '.funcignore'));
      expect(entries.filter((e) => packaged.ignores(e))).toEqual([]);
      expect(packaged.ignores('node_modules/')).toBe(false);
    });
  });

  it('azure.yaml deploys the package folder, with the build mode pinned and the package built first', () => {
    const yaml = readFileSync(join(REPO_ROOT, 'azure.yaml'), 'utf8');
    const service = /\n {2}api:\n((?: {4}.*\n|\s*\n)+)/.exec(yaml)?.[1] ?? '';
    expect(service).toMatch(/^ {4}dist: \.cache\/package\/app$/m);
    expect(service).toMatch(/^ {4}remoteBuild: false$/m);
    expect(service).toMatch(/^ {6}prepackage:\n(?: {8,}.*\n)*? {10}run: npm run package$/m);
    expect(existsSync(join(built.appDir, 'package.json'))).toBe(true);
  });
});
