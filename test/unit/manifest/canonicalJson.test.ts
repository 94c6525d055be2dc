import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/manifest/canonicalJson';
import { sha256OfJson } from '../../../src/manifest/sha256OfJson';

describe('canonicalJson', () => {
  it('sorts keys recursively and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('drops undefined members as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe(canonicalJson({ b: 1 }));
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('sha256OfJson', () => {
  it('is the sha256 of the canonical JSON, independent of key order', () => {
    const value = { spark_version: '15.4.x-scala2.12', cluster_name: 'Small' };
    expect(sha256OfJson(value)).toBe(createHash('sha256').update(canonicalJson(value)).digest('hex'));
    expect(sha256OfJson(value)).toBe(
      sha256OfJson({ cluster_name: 'Small', spark_version: '15.4.x-scala2.12' }),
    );
    expect(sha256OfJson(value)).not.toBe(sha256OfJson({ ...value, cluster_name: 'small' }));
  });
});
