// I/O: `npm start` = `func start` (Azure Functions Core Tools) when Core Tools is installed, and otherwise a
// clear message with what to install, instead of the shell's "func: not found". Core Tools is an
// optionalDependency: its postinstall downloads the host from a CDN, and npm drops it silently when that
// fails (a failed optional dependency is removed, npm docs "optionalDependencies"), so it is often missing.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const CORE_TOOLS_DOCS = 'https://learn.microsoft.com/azure/azure-functions/functions-run-local';

/** The `func` executable npm scripts would run: PATH includes node_modules/.bin first. */
function findOnPath(name) {
  const extensions =
    process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const candidate = join(dir, name + ext.toLowerCase());
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

const func = findOnPath('func');
if (!func) {
  process.stderr.write(
    [
      'bricklane: `npm start` runs the Azure Functions host with Core Tools (`func start`), and `func` is not installed.',
      '  Install Core Tools v4:   npm i -g azure-functions-core-tools@4',
      `  (other ways, and what func needs: ${CORE_TOOLS_DOCS})`,
      `  Then copy local.settings.sample.json to local.settings.json${existsSync('local.settings.json') ? '' : ' (not there yet)'} and start Azurite (npx azurite).`,
      '  No Core Tools or Azure account? `npm run sandbox` runs the whole app locally with Azure and Databricks emulated.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}
const child = spawn(func, ['start', ...process.argv.slice(2)], {
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  process.stderr.write(`bricklane: could not run ${func}: ${error.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
