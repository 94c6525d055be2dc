// Test infrastructure: runs `npm run package`'s script (infra/package/buildPackage.mjs) as a separate Node 22
// process into a folder of the caller's, and takes the zip's path from the last line of its stdout, the
// contract scripts rely on.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const REPO_ROOT = resolve(__dirname, '..', '..');
/** The pinned Node 22 of the repository (devDependency "node"), the runtime Azure Functions targets. */
export const NODE22 = join(REPO_ROOT, 'node_modules', '.bin', 'node');

export interface BuiltPackage {
  zipPath: string;
  /** The folder azd zips (azure.yaml `dist:` points at the default one). */
  appDir: string;
  stdout: string;
  durationInMs: number;
}

export async function buildDeploymentPackage(outDir: string): Promise<BuiltPackage> {
  const started = Date.now();
  const { stdout } = await promisify(execFile)(
    NODE22,
    [join(REPO_ROOT, 'infra', 'package', 'buildPackage.mjs'), '--out-dir', outDir],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const lines = stdout.trimEnd().split('\n');
  return {
    zipPath: lines.at(-1) ?? '',
    appDir: join(outDir, 'app'),
    stdout,
    durationInMs: Date.now() - started,
  };
}
