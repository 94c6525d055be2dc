import { describe, expect, it } from 'vitest';
import { isJsonContentType } from '../../../src/sources/isJsonContentType';

describe('isJsonContentType', () => {
  const cases: [string | null, boolean][] = [
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['Application/JSON', true],
    ['application/x-www-form-urlencoded', false],
    ['application/jsonp', false],
    ['text/json', false],
    ['', false],
    [null, false],
  ];
  it.each(cases)('%s -> %s', (header, json) => {
    expect(isJsonContentType(header)).toBe(json);
  });
});
