// Secret scope ACLs stay inside the operator's PERMISSIONS allow-list, as jobs' and clusters' lists do.
import { describe, expect, it } from 'vitest';
import { loadBoundaries } from '../../../src/config/loadSettings';
import { checkBoundaries } from '../../../src/manifest/checkBoundaries';
import { baseEntries, json, validate } from './bundleEntries';

function crossings(acls: object[], settings: Record<string, string> = {}) {
  const loaded = validate([
    ...baseEntries(),
    json('secrets/app.json', { scope: 'app', keys: { k: 'kv-k' }, acls }),
  ]);
  if (!loaded.bundle) throw new Error(JSON.stringify(loaded.diagnostics));
  return checkBoundaries(loaded.bundle, loadBoundaries(settings).environments);
}

describe('secret scope ACLs against BRICKLANE_<ENV>_PERMISSIONS', () => {
  it('refuses every entry when the allow-list is empty, naming the setting to change', () => {
    const found = crossings([{ principal: 'data-engineers', permission: 'READ' }]);
    expect(found).toEqual([
      expect.objectContaining({
        code: 'BOUNDARY_PERMISSION',
        file: 'secrets/app.json',
        path: '$.acls[0]',
      }),
    ]);
    expect(found[0]?.summary).toContain('grants READ on secret scope app to "data-engineers"');
    expect(found[0]?.summary).toContain('"group:data-engineers=READ"');
    expect(found[0]?.summary).toContain('BRICKLANE_DEV_PERMISSIONS');
  });

  it('allows the principal at the permission the allow-list grants it (any kind, any case), and nothing more', () => {
    const settings = { BRICKLANE_DEV_PERMISSIONS: 'group:Data-Engineers=READ,user:ops@contoso.com=MANAGE' };
    expect(crossings([{ principal: 'data-engineers', permission: 'READ' }], settings)).toEqual([]);
    expect(crossings([{ principal: 'ops@contoso.com', permission: 'MANAGE' }], settings)).toEqual([]);
    const wider = crossings([{ principal: 'data-engineers', permission: 'WRITE' }], settings);
    expect(wider.map((d) => d.code)).toEqual(['BOUNDARY_PERMISSION']);
  });
});
