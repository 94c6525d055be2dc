// Test infrastructure: runs the real CLI in-process against a LocalWorld and captures its output.
import { runCli } from '../../src/cli/runCli';
import type { LocalWorld } from './LocalWorld';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCliCaptured(
  world: LocalWorld,
  args: string[],
  cwd = process.cwd(),
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: world.settings(),
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
  });
  return { code, stdout, stderr };
}
