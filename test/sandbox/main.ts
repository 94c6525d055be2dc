// Test infrastructure: `npm run sandbox` — runs the real bricklane CLI against the local world.
//   npm run sandbox                          deploy artifacts/ to an emulated dev workspace
//   npm run sandbox -- deploy <dir> [--world D] [--state-out F] [--json]
//   npm run sandbox -- plan <dir> [--world D] [--json]
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCli } from '../../src/cli/runCli';
import { LocalWorld } from './LocalWorld';

const USAGE = `usage: npm run sandbox -- [deploy|plan] [<bundle-dir>] [--world <dir>] [--state-out <file>] [--json]`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { world: { type: 'string' }, 'state-out': { type: 'string' }, json: { type: 'boolean' } },
    });
  } catch (error) {
    process.stderr.write(`sandbox: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command = 'deploy', dir = 'artifacts', ...extra] = parsed.positionals;
  if (!['deploy', 'plan'].includes(command) || extra.length > 0) {
    process.stderr.write(`sandbox: unknown arguments\n${USAGE}\n`);
    return 2;
  }
  const worldDir = parsed.values.world ? resolve(parsed.values.world) : undefined;
  const world = await LocalWorld.start({ worldDir });
  try {
    if (!parsed.values.json) {
      process.stderr.write(
        `sandbox: emulated Azure at ${world.azure.armEndpoint} (managed identity, Entra ID, Key Vault), ` +
          `Databricks at ${world.emulator.url}, ledger in Azurite${worldDir ? ` (world kept in ${worldDir})` : ''}\n`,
      );
    }
    world.emulator.resetCounters();
    world.azure.resetCounters();
    const code = await runCli([command, dir, '--env', 'dev', ...(parsed.values.json ? ['--json'] : [])], {
      env: world.settings(),
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      cwd: process.cwd(),
    });
    const stateOut = parsed.values['state-out'];
    if (stateOut) writeFileSync(resolve(stateOut), `${JSON.stringify(world.state(), null, 2)}\n`);
    return code;
  } finally {
    await world.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `sandbox: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
