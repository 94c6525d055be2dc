import { describe, expect, it } from 'vitest';
import { checkBasicAuth } from '../../../src/sources/checkBasicAuth';

const expected = { username: 'hook', password: 'pa:ss wörd' };
const basic = (value: string): string => `Basic ${Buffer.from(value).toString('base64')}`;

describe('checkBasicAuth', () => {
  const cases: [string, string | null, boolean][] = [
    ['the right user and password', basic('hook:pa:ss wörd'), true],
    ['a lower-case scheme', basic('hook:pa:ss wörd').replace('Basic', 'basic'), true],
    ['a wrong password', basic('hook:pa:ss word'), false],
    ['a wrong user', basic('Hook:pa:ss wörd'), false],
    ['a password prefix', basic('hook:pa:ss'), false],
    ['no colon', basic('hook'), false],
    ['an empty header', '', false],
    ['no header', null, false],
    ['a bearer token', 'Bearer pa:ss wörd', false],
    ['garbage after the scheme', 'Basic !!!', false],
  ];
  it.each(cases)('%s -> %s', (_name, header, ok) => {
    expect(checkBasicAuth(header, expected)).toBe(ok);
  });
});
