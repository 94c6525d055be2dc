// Init scripts off DBFS (issue 15): the `volume` target and its options, cluster references rewritten to the
// deployed location (with a warning when they named DBFS), and the operator's VOLUME_ROOTS boundary.
import { describe, expect, it } from 'vitest';
import { loadBoundaries } from '../../../src/config/loadSettings';
import type { BundleEntry } from '../../../src/manifest/Bundle';
import { checkBoundaries } from '../../../src/manifest/checkBoundaries';
import { baseEntries, errors, json, SMALL_CLUSTER, validate, warnings } from './bundleEntries';

const VOLUME = '/Volumes/main/ops/init';
const volumeOptions = json('bricklane.json', { initScriptTarget: 'volume', initScriptRoot: VOLUME });
const withScript = (destination: Record<string, unknown>): BundleEntry =>
  json('clusters/scripted.json', { ...SMALL_CLUSTER, cluster_name: 'Scripted', init_scripts: [destination] });
const scriptsOf = (result: ReturnType<typeof validate>): unknown =>
  result.bundle?.clusters.find((c) => c.name === 'Scripted')?.spec['init_scripts'];

describe('initScriptTarget "volume"', () => {
  it('deploys init scripts under the volume folder and points cluster references at them as `volumes`', () => {
    const result = validate([
      ...baseEntries(),
      volumeOptions,
      withScript({ workspace: { destination: 'init-scripts/setup.sh' } }),
    ]);
    expect(errors(result)).toEqual([]);
    expect(result.bundle?.initScripts.map((s) => s.target)).toEqual([`${VOLUME}/setup.sh`]);
    expect(scriptsOf(result)).toEqual([{ volumes: { destination: `${VOLUME}/setup.sh` } }]);
  });

  it.each([
    ['no initScriptRoot', { initScriptTarget: 'volume' }, 'needs initScriptRoot'],
    [
      'a workspace initScriptRoot',
      { initScriptTarget: 'volume', initScriptRoot: '/Shared/x' },
      'volume folder',
    ],
    [
      'a catalog, not a volume',
      { initScriptTarget: 'volume', initScriptRoot: '/Volumes/main/ops' },
      'volume folder',
    ],
    [
      'a volume root with the workspace target',
      { initScriptRoot: VOLUME },
      'set "initScriptTarget": "volume"',
    ],
  ])('refuses %s, saying what to write', (_case, options, hint) => {
    const result = validate([...baseEntries(), json('bricklane.json', options)]);
    expect(errors(result)).toEqual([
      expect.objectContaining({
        code: 'OPTIONS_INVALID',
        path: '$.initScriptRoot',
        summary: expect.stringContaining(hint),
      }),
    ]);
  });
});

describe('seed references on DBFS', () => {
  it.each([
    [
      'workspace files (the default)',
      [],
      { workspace: { destination: '/Shared/MyProject/init-scripts/setup.sh' } },
    ],
    ['a volume', [volumeOptions], { volumes: { destination: `${VOLUME}/setup.sh` } }],
  ])('are rewritten to %s, with a warning that says what changed and why', (_target, extra, rewritten) => {
    const result = validate([
      ...baseEntries(),
      ...extra,
      withScript({ dbfs: { destination: 'dbfs:/init-scripts/setup.sh' } }),
    ]);
    expect(errors(result)).toEqual([]);
    expect(scriptsOf(result)).toEqual([rewritten]);
    expect(warnings(result)).toEqual([
      expect.objectContaining({
        code: 'INIT_SCRIPT_DBFS_REWRITTEN',
        file: 'clusters/scripted.json',
        path: '$.init_scripts[0].dbfs.destination',
        summary: expect.stringMatching(/end-of-life .*init-scripts\/#migrate-dbfs/),
      }),
    ]);
  });

  it('stay on DBFS without a warning when the bundle keeps the dbfs target', () => {
    const result = validate([
      ...baseEntries(),
      json('bricklane.json', { initScriptTarget: 'dbfs' }),
      withScript({ dbfs: { destination: 'dbfs:/init-scripts/setup.sh' } }),
    ]);
    expect(scriptsOf(result)).toEqual([{ dbfs: { destination: 'dbfs:/init-scripts/MyProject/setup.sh' } }]);
    expect(warnings(result).map((w) => w.code)).not.toContain('INIT_SCRIPT_DBFS_REWRITTEN');
  });
});

describe('the VOLUME_ROOTS boundary', () => {
  const crossings = (settings: Record<string, string>) => {
    const loaded = validate([...baseEntries(), volumeOptions]);
    if (!loaded.bundle) throw new Error(JSON.stringify(loaded.diagnostics));
    return checkBoundaries(loaded.bundle, loadBoundaries(settings).environments);
  };

  it('allows a volume folder inside it and refuses one outside (or none set), naming the setting', () => {
    expect(crossings({ BRICKLANE_DEV_VOLUME_ROOTS: VOLUME })).toEqual([]);
    const outside: Record<string, string>[] = [{}, { BRICKLANE_DEV_VOLUME_ROOTS: '/Volumes/main/ops/other' }];
    for (const settings of outside) {
      expect(crossings(settings)).toEqual([
        expect.objectContaining({
          code: 'BOUNDARY_INIT_SCRIPT_ROOT',
          path: '$.initScriptRoot',
          summary: expect.stringContaining('BRICKLANE_DEV_VOLUME_ROOTS'),
        }),
      ]);
    }
  });
});
