// I/O: `npm run package` builds THE deployment package of the function app: a folder (`.cache/package/app`,
// the folder azure.yaml's `dist:` points azd at) and the same content as a zip (`.cache/package/bricklane.zip`,
// for `az functionapp deployment source config-zip` or a look inside). It holds the compiled code
// (dist/src/**/*.js), host.json, a package.json whose `main` the Functions host reads to find the entry
// point, and the production dependencies only: no devDependencies (vitest, tsx, typescript, azurite, the
// `node` binary package...), no optional azure-functions-core-tools, no tests, no TypeScript sources.
// The zip's absolute path is the last line printed on stdout, so scripts can capture it.
//
//   node infra/package/buildPackage.mjs [--out-dir <dir>]      (npm run package)
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import yazl from 'yazl';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_OUT_DIR = join(ROOT, '.cache', 'package');
const ZIP_NAME = 'bricklane.zip';
// A fixed timestamp (the zip format's earliest, 1980-01-01) makes two builds of the same inputs byte-identical.
const ZIP_MTIME = new Date(1980, 0, 1, 0, 0, 0);
// Files no process reads at run time: type declarations (for editors and tsc) and source maps (read only
// with --enable-source-maps, and they point at sources that are not shipped). Dropping them saves about a
// quarter of node_modules.
const RUNTIME_IRRELEVANT = /\.(d\.ts|d\.mts|d\.cts|map)$/;
// azd reads `.funcignore` from the folder it zips (azure-dev cli/azd/pkg/project/project_utils.go,
// createDeployableZip: `filepath.Join(root, ignoreFile)` with root = the `dist:` folder) and, when the file
// is missing, drops every node_modules folder of a JavaScript/TypeScript service unless `remoteBuild: false`
// is set (and always, in azd before 1.23.12 / PR #7223). A present ignore file replaces those defaults, and
// azd never zips the ignore file itself. So this file keeps the production node_modules in azd's zip
// whatever azd version runs, and takes nothing else out.
const STAGED_FUNCIGNORE =
  '# Written by infra/package/buildPackage.mjs. An empty ignore file makes azd zip this whole folder,\n' +
  '# node_modules included (without one, azd leaves node_modules out of JavaScript/TypeScript services).\n';

/**
 * Builds the package into `outDir` (default `.cache/package`) and returns where it is and how big it is.
 * Each step refuses to go on with a clear message if the previous one failed.
 */
export async function buildDeploymentPackage({ outDir = DEFAULT_OUT_DIR, log = () => {} } = {}) {
  const started = Date.now();
  const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  if (typeof rootManifest.main !== 'string' || rootManifest.main === '')
    throw new Error('package.json has no "main": the Functions host needs it to find the entry point');
  mkdirSync(outDir, { recursive: true });
  const appDir = join(outDir, 'app');
  // Built beside the final folder and renamed at the end, so a failed build never leaves half a package
  // where azd (or a previous successful build's user) would pick it up.
  const staging = join(outDir, 'app.staging');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });

  // Compiled straight into the package rather than copied from dist/: a .js file left in dist/ by a source
  // file that has since been deleted or renamed would otherwise ship and could still register a function.
  log('package: compiling src/ (tsc)');
  run(process.execPath, [
    createRequire(import.meta.url).resolve('typescript/bin/tsc'),
    '-p',
    join(ROOT, 'tsconfig.json'),
    '--outDir',
    join(staging, 'dist'),
    '--sourceMap',
    'false',
  ]);
  if (!existsSync(join(staging, rootManifest.main)))
    throw new Error(
      `package.json "main" is ${rootManifest.main}, but tsc did not produce it: make "main" name the compiled src/index.ts`,
    );

  writeFileSync(join(staging, 'host.json'), readFileSync(join(ROOT, 'host.json')));
  // npm ci refuses a package.json that disagrees with the lock file, so the install sees the real manifest
  // (minus its scripts, which must not run here); the shipped one is slimmed afterwards.
  const installManifest = { ...rootManifest };
  delete installManifest.scripts;
  writeFileSync(join(staging, 'package.json'), `${JSON.stringify(installManifest, null, 2)}\n`);
  writeFileSync(join(staging, 'package-lock.json'), readFileSync(join(ROOT, 'package-lock.json')));

  // No production dependency has an install script (package-lock.json: hasInstallScript appears only on
  // esbuild, node, protobufjs - devDependencies - and the optional azure-functions-core-tools), so
  // --ignore-scripts loses nothing and keeps any future one from running unreviewed on a build machine.
  log('package: installing production dependencies (npm ci --omit=dev --omit=optional)');
  const npm = npmCommand();
  run(
    npm.command,
    [
      ...npm.args,
      'ci',
      '--omit=dev',
      '--omit=optional',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
    ],
    { cwd: staging },
  );

  rmSync(join(staging, 'package-lock.json'));
  // .bin holds symbolic links to CLIs of dependencies; the Functions host never runs them.
  rmSync(join(staging, 'node_modules', '.bin'), { recursive: true, force: true });
  for (const file of listFiles(join(staging, 'node_modules')))
    if (RUNTIME_IRRELEVANT.test(file)) rmSync(join(staging, 'node_modules', file));
  writeFileSync(join(staging, 'package.json'), `${JSON.stringify(shippedManifest(rootManifest), null, 2)}\n`);
  writeFileSync(join(staging, '.funcignore'), STAGED_FUNCIGNORE);

  rmSync(appDir, { recursive: true, force: true });
  renameSync(staging, appDir);

  log('package: writing the zip');
  const zipPath = join(outDir, ZIP_NAME);
  const entries = listFiles(appDir).filter((file) => file !== '.funcignore');
  const unpackedBytes = entries.reduce((sum, file) => sum + statSync(join(appDir, file)).size, 0);
  await writeZip(appDir, entries, `${zipPath}.partial`);
  renameSync(`${zipPath}.partial`, zipPath);
  return {
    zipPath,
    appDir,
    files: entries.length,
    zipBytes: statSync(zipPath).size,
    unpackedBytes,
    durationInMs: Date.now() - started,
  };
}

/**
 * What the Functions host and Node need: `main` (the host loads it; Azure Functions Node.js developer
 * guide, "Folder structure": the entry point comes from package.json's main field) and the dependency list
 * (documentation of what node_modules holds). Scripts would run on a remote build that is turned off,
 * and devDependencies are not installed.
 */
function shippedManifest(manifest) {
  const kept = ['name', 'version', 'private', 'description', 'license', 'main', 'engines', 'dependencies'];
  return Object.fromEntries(kept.filter((key) => key in manifest).map((key) => [key, manifest[key]]));
}

/** Runs npm with the same npm that runs this script when there is one (npm sets npm_execpath). */
function npmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /\.(c|m)?js$/.test(execPath)) return { command: process.execPath, args: [execPath] };
  return { command: 'npm', args: [] };
}

function run(command, args, options = {}) {
  // A shell finds npm.cmd on Windows, where Node refuses to spawn .cmd files directly.
  const shell = process.platform === 'win32' && command === 'npm';
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], shell, ...options });
  if (result.error) throw new Error(`package: could not run ${command}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(
      `package: ${[command, ...args].map((a) => relative(ROOT, a) || a).join(' ')} exited with ${result.status}; ` +
        'fix the error printed above and run npm run package again',
    );
}

/** Every regular file under `dir`, relative with forward slashes, sorted (so the zip's order is stable). */
function listFiles(dir) {
  const files = [];
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(relative(dir, path).split(sep).join('/'));
      else if (entry.isSymbolicLink() && lstatSync(path).isSymbolicLink())
        throw new Error(`package: ${path} is a symbolic link; the package must hold plain files only`);
    }
  };
  walk(dir);
  return files.sort();
}

function writeZip(dir, entries, zipPath) {
  return new Promise((done, fail) => {
    const zip = new yazl.ZipFile();
    for (const name of entries) {
      const mode = statSync(join(dir, name)).mode & 0o777;
      zip.addFile(join(dir, name), name, { mtime: ZIP_MTIME, mode: 0o100000 | mode });
    }
    zip.end();
    const out = createWriteStream(zipPath);
    out.on('error', fail);
    out.on('close', () => done());
    zip.outputStream.on('error', fail);
    zip.outputStream.pipe(out);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  let outDir = DEFAULT_OUT_DIR;
  try {
    const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
    if (values['out-dir']) outDir = resolve(values['out-dir']);
  } catch (error) {
    process.stderr.write(`package: ${error.message}\nusage: npm run package [-- --out-dir <dir>]\n`);
    process.exit(2);
  }
  buildDeploymentPackage({ outDir, log: (line) => process.stderr.write(`${line}\n`) }).then(
    (built) => {
      const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
      process.stdout.write(
        `package: ${built.files} files, ${mb(built.unpackedBytes)} MB unpacked, ${mb(built.zipBytes)} MB zipped, ` +
          `in ${(built.durationInMs / 1000).toFixed(1)} s; the same files are in ${built.appDir}` +
          `${outDir === DEFAULT_OUT_DIR ? ' (the folder azure.yaml has azd deploy)' : ''}\n`,
      );
      process.stdout.write(`${built.zipPath}\n`);
    },
    (error) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
