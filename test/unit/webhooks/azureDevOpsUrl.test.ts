// The one way URLs into the configured Azure DevOps organization are built (fetches and commit links):
// segments that could normalize out of the organization are refused, whatever the caller checked before.
import { describe, expect, it } from 'vitest';
import { azureDevOpsNameProblem } from '../../../src/config/azureDevOpsNameProblem';
import { azureDevOpsUrl } from '../../../src/config/azureDevOpsUrl';

const ORG = 'https://dev.azure.com/fabrikam/';

describe('azureDevOpsUrl', () => {
  it('encodes each segment under the organization path', () => {
    expect(azureDevOpsUrl(ORG, ['Data Platform', '_git', 'a#b?c'], { 'api-version': '7.1' })?.href).toBe(
      'https://dev.azure.com/fabrikam/Data%20Platform/_git/a%23b%3Fc?api-version=7.1',
    );
  });

  it.each([
    ['..', ['..', '_apis']],
    ['.', ['.', '_apis']],
    ['%2e%2e', ['%2e%2e', '_apis']],
    ['.%2E', ['.%2E', '_apis']],
    ['an empty segment', ['', '_apis']],
    ['.. later on', ['Data', '..', '..', '_apis']],
  ])('refuses %s', (_name, segments) => {
    expect(azureDevOpsUrl(ORG, segments)).toBeUndefined();
  });

  it('keeps a slash or a scheme inside its segment', () => {
    const url = azureDevOpsUrl(ORG, ['https:', '//evil.example/_git/x']);
    expect(url?.origin).toBe('https://dev.azure.com');
    expect(url?.pathname).toBe('/fabrikam/https%3A/%2F%2Fevil.example%2F_git%2Fx');
  });

  it.each([
    'http://dev.azure.com/fabrikam',
    'javascript:alert(1)',
    'not a url',
    'https://dev.azure.com/f?x=1',
  ])('refuses the organization URL %j', (organization) => {
    expect(azureDevOpsUrl(organization, ['Data'])).toBeUndefined();
  });
});

describe('azureDevOpsNameProblem', () => {
  it.each(['Data Platform', 'Fabrikam-Fiber-Git', 'a.b', 'x_1', 'ünïcode', 'p'.repeat(64)])(
    'accepts %j',
    (name) => {
      expect(azureDevOpsNameProblem(name)).toBeUndefined();
    },
  );

  it.each([
    '',
    '.',
    '..',
    '_apis',
    '.hidden',
    'trailing.',
    'a/b',
    'https:',
    'a\\b',
    '%2e',
    'a?b',
    'a#b',
    'CON',
    'lpt1',
    'p'.repeat(65),
    'tab\there',
  ])('refuses %j', (name) => {
    expect(azureDevOpsNameProblem(name)).toEqual(expect.any(String));
  });
});
