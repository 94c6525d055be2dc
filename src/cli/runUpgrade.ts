// I/O: `bricklane validate <bundle-dir> --upgrade [--write <dir>]`: the migration report of a seed-era bundle
// (manifest/upgradeReport.ts), and with --write a converted copy in a new folder, validated as a deploy would.
// The source bundle is never changed; an existing non-empty folder is never written into.
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { holdToBoundaries, type EnvironmentBoundaries } from '../manifest/checkBoundaries';
import { describeDiagnostic } from '../manifest/describeDiagnostic';
import { upgradeReport, type UpgradeFinding } from '../manifest/upgradeReport';
import { loadBundle, readBundleEntries } from '../sources/loadBundle';
import type { CliIo } from './CliIo';

export interface UpgradeOptions {
  bundleDir: string;
  /** --write: the new folder for the converted copy (relative to the working directory). */
  writeDir?: string;
  project: string;
  environments: readonly EnvironmentBoundaries[];
  json: boolean;
}

/** 0: reported (and the copy, if written, is valid); 1: not a bundle, or the copy is invalid; 2: bad --write. */
export async function runUpgrade(options: UpgradeOptions, io: CliIo): Promise<number> {
  const { bundleDir, project, json } = options;
  const source = await loadBundle(bundleDir, { project });
  const unreadable = source.diagnostics.find(
    (d) => d.code === 'BUNDLE_NOT_FOUND' || d.code === 'BUNDLE_LAYOUT_MISSING',
  );
  if (unreadable) {
    io.stdout(`${bundleDir}: ${unreadable.summary}\n`);
    return 1;
  }
  const plan = upgradeReport(await readBundleEntries(bundleDir), project);
  const text = [formatFindings(bundleDir, plan.findings)];
  let written: Record<string, unknown> | undefined;
  let code = 0;

  if (options.writeDir !== undefined) {
    const target = resolve(io.cwd, options.writeDir);
    const refusal = await writeRefusal(bundleDir, target);
    if (refusal) {
      io.stderr(`bricklane validate --upgrade: ${refusal}\n`);
      return 2;
    }
    await cp(bundleDir, target, {
      recursive: true,
      // Tooling state (.git, .DS_Store) is not bundle content (classifyEntries skips hidden names too).
      filter: (path) =>
        !relative(bundleDir, path)
          .split(sep)
          .some((s) => s.startsWith('.')),
    });
    for (const [path, content] of plan.files) {
      const file = join(target, ...path.split('/'));
      if (content === null) await rm(file);
      else {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, `${JSON.stringify(content, null, 2)}\n`);
      }
    }
    const converted = holdToBoundaries(await loadBundle(target, { project }), options.environments);
    const left = upgradeReport(await readBundleEntries(target), project).findings;
    const errors = converted.diagnostics.filter((d) => d.severity === 'error');
    code = errors.length > 0 ? 1 : 0;
    written = {
      dir: target,
      changed: [...plan.files].filter(([, c]) => c !== null).map(([p]) => p),
      removed: [...plan.files].filter(([, c]) => c === null).map(([p]) => p),
      valid: converted.bundle !== undefined,
      diagnostics: converted.diagnostics,
      remaining: left,
    };
    text.push(
      `wrote the converted copy to ${target}: ${plan.files.size} file(s) changed or removed; ` +
        (converted.bundle
          ? `it validates${converted.diagnostics.length > 0 ? ` with ${converted.diagnostics.length} warning(s)` : ' cleanly'}`
          : `it does not validate (${errors.length} error(s))`) +
        (left.length > 0 ? `; ${left.length} deprecated use(s) need a person (listed above)` : ''),
      ...converted.diagnostics.map((d) => `  ${d.severity}: ${describeDiagnostic(d)}`),
    );
  }
  io.stdout(
    `${json ? JSON.stringify({ findings: plan.findings, ...(written ? { written } : {}) }, null, 2) : text.join('\n')}\n`,
  );
  return code;
}

function formatFindings(bundleDir: string, findings: readonly UpgradeFinding[]): string {
  if (findings.length === 0) return `${bundleDir}: no deprecated use found`;
  const automatic = findings.filter((f) => f.automatic).length;
  return [
    `${bundleDir}: ${findings.length} deprecated use(s); --write converts ${automatic} of them`,
    ...findings.map(
      (f) =>
        `  ${f.code}: ${f.file} ${f.path}: ${f.summary}\n    change: ${f.change}${f.automatic ? '' : ' (by hand)'}`,
    ),
  ].join('\n');
}

/** Why the converted copy cannot go to `target`, or undefined. */
async function writeRefusal(bundleDir: string, target: string): Promise<string | undefined> {
  const inside = relative(bundleDir, target);
  if (inside === '' || !(inside.startsWith('..') || isAbsolute(inside)))
    return `--write ${target} is inside the bundle ${bundleDir}; choose a new folder elsewhere`;
  let present: string[];
  try {
    present = await readdir(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') return `--write ${target} is a file; the converted copy goes to a new folder`;
    throw error;
  }
  return present.length > 0
    ? `--write ${target} exists and is not empty; the converted copy goes to a new (or empty) folder`
    : undefined;
}
