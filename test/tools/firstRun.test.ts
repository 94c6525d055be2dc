// First run on a fresh clone: every npm script that needs dependencies installs them first, `npm start`
// without Core Tools says what to install instead of "func: not found", and npm on an older Node gets one
// line on why the project runs on Node 22.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const scripts = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;
const ENSURE_DEPS = 'node test/tools/ensure-deps.cjs';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
async function node(script: string, env: Record<string, string>): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(ROOT, script)], {
      cwd: ROOT,
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('npm scripts on a fresh clone', () => {
  it.each(['build', 'package', 'test', 'sandbox', 'bench', 'bricklane', 'lint', 'format', 'typecheck'])(
    '`npm run %s` installs the locked dependencies first',
    (name) => {
      expect(scripts[name], name).toBeDefined();
      expect(scripts[`pre${name}`], `pre${name}`).toBe(ENSURE_DEPS);
    },
  );

  it('`npm start` builds first, through build (and so its install step)', () => {
    expect(scripts.prestart).toBe('npm run build');
    expect(scripts.prebuild).toBe(ENSURE_DEPS);
  });

  it('nothing that npm ci itself runs calls the installer again', () => {
    for (const hook of ['preinstall', 'install', 'postinstall', 'preprepare', 'prepare', 'postprepare'])
      expect(scripts[hook] ?? '', hook).not.toContain('ensure-deps');
  });
});

describe('npm start', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('without Core Tools on PATH says what to install, or to use the sandbox, and fails', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'bricklane-nofunc-'));
    dirs.push(empty);
    const run = await node('test/tools/start-func.mjs', { PATH: empty });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('`func` is not installed');
    expect(run.stderr).toContain('npm i -g azure-functions-core-tools@4');
    expect(run.stderr).toContain('https://learn.microsoft.com/azure/azure-functions/functions-run-local');
    expect(run.stderr).toContain('npm run sandbox');
  });

  it.skipIf(process.platform === 'win32')(
    'with Core Tools on PATH runs `func start` and passes its exit code on',
    async () => {
      const bin = mkdtempSync(join(tmpdir(), 'bricklane-func-'));
      dirs.push(bin);
      writeFileSync(join(bin, 'func'), '#!/bin/sh\necho "func $*"\nexit 3\n');
      chmodSync(join(bin, 'func'), 0o755);
      const run = await node('test/tools/start-func.mjs', { PATH: `${bin}:/usr/bin:/bin` });
      expect(run.stdout.trim()).toBe('func start');
      expect(run.code).toBe(3);
    },
  );
});

describe('npm install on an older Node', () => {
  const agent = (version: string): Record<string, string> => ({
    npm_config_user_agent: `npm/11.19.1 node/${version} linux x64 workspaces/false`,
  });

  it('says once why the scripts run on the pinned Node 22', async () => {
    const run = await node('test/tools/explain-node.cjs', agent('v20.20.2'));
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Node v20.20.2');
    expect(lines[0]).toContain('node@22');
    expect(lines[0]).toContain('Azure Functions');
  });

  it('says nothing when npm already runs on Node 22', async () => {
    expect((await node('test/tools/explain-node.cjs', agent('v22.23.3'))).stdout).toBe('');
  });

  it('.npmrc hides npm warnings (the ~140 EBADENGINE lines) but not errors', () => {
    const settings = readFileSync(join(ROOT, '.npmrc'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(settings).toEqual(['loglevel=error']);
  });
});
