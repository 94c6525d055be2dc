// secrets/*.json: scopes, keys copied from Key Vault, ACLs; every name rule with its diagnostic, and no value
// ever accepted in a bundle.
import { describe, expect, it } from 'vitest';
import { validateBundle } from '../../../src/manifest/validateBundle';
import { baseEntries, json } from './bundleEntries';

const validate = (value: unknown, more: unknown[] = []) =>
  validateBundle('/b', [
    ...baseEntries(),
    json('secrets/app.json', value),
    ...more.map((v, i) => json(`secrets/more${i}.json`, v)),
  ]);

const APP = {
  scope: 'app',
  keys: { 'db-password': 'etl-db-password', 'storage.key': 'storage-key' },
  acls: [
    { principal: 'data-engineers', permission: 'READ' },
    { principal: 'admins', permission: 'MANAGE' },
  ],
};

describe('secrets/*.json', () => {
  it('becomes a scope item (ACLs sorted, hashed) followed by one item per key', () => {
    const { bundle, diagnostics } = validate(APP);
    expect(diagnostics).toEqual([]);
    expect(bundle?.secrets.map((s) => s.key)).toEqual([
      'secrets.app',
      'secrets.app/db-password',
      'secrets.app/storage.key',
    ]);
    expect(bundle?.secrets[0]).toMatchObject({
      type: 'scope',
      scope: 'app',
      source: 'secrets/app.json',
      acls: [
        { principal: 'admins', permission: 'MANAGE' },
        { principal: 'data-engineers', permission: 'READ' },
      ],
    });
    expect(bundle?.secrets[1]).toEqual({
      type: 'key',
      key: 'secrets.app/db-password',
      scope: 'app',
      name: 'db-password',
      vaultSecret: 'etl-db-password',
      source: 'secrets/app.json',
    });
  });

  it('hashes the ACL list the same whatever its order', () => {
    const a = validate(APP).bundle?.secrets[0];
    const b = validate({ ...APP, acls: [...APP.acls].reverse() }).bundle?.secrets[0];
    expect(a && 'sha256' in a ? a.sha256 : '').toHaveLength(64);
    expect(a).toEqual(b);
  });

  it.each([
    [{ ...APP, scope: 'has space' }, 'SECRET_SCOPE_NAME', '$.scope'],
    [{ ...APP, scope: 'x'.repeat(129) }, 'SECRET_SCOPE_NAME', '$.scope'],
    [{ ...APP, keys: { 'bad/key': 'etl-db-password' } }, 'SECRET_KEY_NAME', '$.keys["bad/key"]'],
    [{ ...APP, keys: { ok: 'under_score' } }, 'SECRET_VAULT_NAME', '$.keys.ok'],
    [{ ...APP, keys: { ok: 'x'.repeat(128) } }, 'SECRET_VAULT_NAME', '$.keys.ok'],
    [{ ...APP, keys: ['etl-db-password'] }, 'SECRET_KEYS_INVALID', '$.keys'],
    [{ ...APP, keys: { sp: 'databricks-dev-ops-client-secret' } }, 'SECRET_DEPLOYER_CREDENTIAL', '$.keys.sp'],
    [
      { ...APP, acls: [{ principal: 'g', permission: 'CAN_READ' }] },
      'SECRET_ACL_PERMISSION',
      '$.acls[0].permission',
    ],
    [{ ...APP, acls: [{ permission: 'READ' }] }, 'SECRET_ACL_PRINCIPAL', '$.acls[0].principal'],
    [
      {
        ...APP,
        acls: [
          { principal: 'G', permission: 'READ' },
          { principal: 'g', permission: 'WRITE' },
        ],
      },
      'SECRET_ACL_DUPLICATE',
      '$.acls[1].principal',
    ],
    [{ ...APP, acls: {} }, 'SECRET_ACLS_INVALID', '$.acls'],
    [{ ...APP, value: 'hunter2' }, 'SECRET_VALUE_IN_BUNDLE', '$.value'],
    [{ ...APP, string_value: 'hunter2' }, 'SECRET_VALUE_IN_BUNDLE', '$.string_value'],
    [{ ...APP, backend: 'AZURE_KEYVAULT' }, 'SECRET_SCOPE_FIELD_UNKNOWN', '$.backend'],
    [['app'], 'SECRET_SCOPE_INVALID', '$'],
  ])('refuses %j with %s at %s', (value, code, path) => {
    const { bundle, diagnostics } = validate(value);
    expect(bundle).toBeUndefined();
    expect(diagnostics).toContainEqual(
      expect.objectContaining({ severity: 'error', code, path, file: 'secrets/app.json' }),
    );
  });

  it('refuses more keys than a scope holds (1000, secrets/put)', () => {
    const keys = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, `kv-${i}`]));
    expect(validate({ scope: 'big', keys }).diagnostics.map((d) => d.code)).toContain('SECRET_KEYS_TOO_MANY');
  });

  it('refuses one scope in two files, names differing only in case included', () => {
    const { diagnostics } = validate(APP, [{ scope: 'APP', keys: { a: 'b' } }]);
    expect(diagnostics).toContainEqual(
      expect.objectContaining({ code: 'SECRET_SCOPE_DUPLICATE', file: 'secrets/more0.json' }),
    );
  });

  it('never repeats a string that is not a Key Vault name (it may be a value) in a diagnostic', () => {
    const { diagnostics } = validate({ scope: 'app', keys: { password: 'P@ssw0rd! not a name' } });
    expect(diagnostics.map((d) => d.code)).toEqual(['SECRET_VAULT_NAME']);
    expect(JSON.stringify(diagnostics)).not.toContain('P@ssw0rd');
  });

  it('accepts a scope with ACLs and no keys, and names with @ . _ -', () => {
    const { bundle, diagnostics } = validate({
      scope: 'team@contoso.com_x-1',
      acls: [{ principal: 'users', permission: 'READ' }],
    });
    expect(diagnostics).toEqual([]);
    expect(bundle?.secrets.map((s) => s.key)).toEqual(['secrets.team@contoso.com_x-1']);
  });
});
