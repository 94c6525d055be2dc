// Test infrastructure (benchmark): runs one engine deploy (deployChild.ts) in a child Node process against
// the parent's emulator and Azurite, and returns what it measured, its own peak RSS included.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export interface DeployJob {
  bundleDir: string;
  environment: string;
  workspaceUrl: string;
  token: string;
  ledgerConnectionString: string;
  ledgerContainer: string;
  maxInFlight: number;
  /** Extra deployBundle options (e.g. directory import, once the engine has it). */
  engineOptions?: Record<string, unknown>;
}

export interface DeployOutcome {
  failed: boolean;
  failures: string[];
  durationInMs: number;
  requests: number;
  writes: number;
  /** Notebook and file imports per second, first to last. */
  importRate: number;
  /** The child's peak resident set (getrusage ru_maxrss). */
  peakRssInMb: number;
}

const CHILD = resolve(__dirname, 'deployChild.ts');

export function deployInChild(job: DeployJob): Promise<DeployOutcome> {
  return new Promise((done, fail) => {
    // process.execArgv carries tsx's loader, so the child runs TypeScript as this process does.
    const child = spawn(process.execPath, [...process.execArgv, CHILD, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return fail(new Error(`bench deploy of ${job.environment} exited ${code}`));
      const outcome = JSON.parse(line) as DeployOutcome;
      if (outcome.failed)
        return fail(new Error(`bench deploy of ${job.environment} failed: ${outcome.failures.join('; ')}`));
      done(outcome);
    });
  });
}
