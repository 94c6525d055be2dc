// Test infrastructure: loads an unpacked deployment package with plain Node 22, as the Functions worker
// would: a fresh process, cwd = the package, nothing of this repository resolvable (no NODE_PATH, no
// NODE_OPTIONS, HOME pointed at the package so ~/.node_modules is out of reach, no tsx), and only
// `@azure/functions-core` provided, by test/tools/functions-core-preload.cjs through --require.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageEntry } from '../sandbox/host/loadFunctionApp';
import type { CoreFunctionMetadata } from '../sandbox/host/CoreApiTypes';
import { NODE22, REPO_ROOT } from './buildDeploymentPackage';

export const PRELOAD = join(REPO_ROOT, 'test', 'tools', 'functions-core-preload.cjs');

export interface PreloadReport {
  exitCode: number;
  node: string;
  loadedInMs: number;
  programmingModel?: { name: string; version: string };
  registrations: CoreFunctionMetadata[];
  hooks: string[];
  /** Every CommonJS module the process loaded (absolute paths). */
  modules: string[];
  /** Wall-clock time of the whole process, measured by the caller. */
  processInMs: number;
  stderr: string;
}

export async function loadInPlainNode(appDir: string): Promise<PreloadReport> {
  const entry = packageEntry(appDir);
  const reportFile = join(appDir, '.preload-report.json');
  rmSync(reportFile, { force: true });
  const env: Record<string, string> = {
    PATH: '/usr/bin:/bin',
    HOME: appDir,
    BRICKLANE_PRELOAD_REPORT: reportFile,
  };
  if (process.env.SystemRoot) env.SystemRoot = process.env.SystemRoot;
  const started = performance.now();
  const result = await promisify(execFile)(NODE22, ['--require', PRELOAD, entry], {
    cwd: appDir,
    env,
    timeout: 60_000,
  }).catch((error: unknown) => {
    const failed = error as { code?: unknown; stderr?: string };
    throw new Error(
      `plain Node could not load ${entry} (exit ${String(failed.code)}):\n${failed.stderr ?? ''}`,
      {
        cause: error,
      },
    );
  });
  const stderr = result.stderr;
  const processInMs = performance.now() - started;
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Omit<
    PreloadReport,
    'processInMs' | 'stderr'
  >;
  rmSync(reportFile, { force: true });
  return { ...report, processInMs, stderr };
}
