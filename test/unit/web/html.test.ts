import { describe, expect, it } from 'vitest';
import type { ReleaseSource } from '../../../src/release/ReleaseInput';
import { commitUrl, escapeHtml, renderCommit } from '../../../src/web/html';

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    [`" onmouseover='x'`, '&quot; onmouseover=&#39;x&#39;'],
    ['a & b', 'a &amp; b'],
    ['&amp;', '&amp;amp;'],
    ['plain/ümlaut', 'plain/ümlaut'],
    [42, '42'],
  ])('%j -> %j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });
});

const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('commitUrl', () => {
  const cases: Array<[string, ReleaseSource, string | undefined]> = [
    [
      'GitHub owner/name',
      { kind: 'github', repository: 'contoso/etl', commit: SHA },
      `https://github.com/contoso/etl/commit/${SHA}`,
    ],
    [
      'GitHub URL with .git',
      { kind: 'manual', repository: 'https://github.com/contoso/etl.git', commit: SHA },
      `https://github.com/contoso/etl/commit/${SHA}`,
    ],
    [
      'Azure Repos remoteUrl with the organization as user',
      { kind: 'azureRepos', repository: 'https://contoso@dev.azure.com/contoso/Data/_git/etl', commit: SHA },
      `https://dev.azure.com/contoso/Data/_git/etl/commit/${SHA}`,
    ],
    [
      'Azure Repos on visualstudio.com',
      { kind: 'manual', repository: 'https://contoso.visualstudio.com/Data/_git/etl/', commit: SHA },
      `https://contoso.visualstudio.com/Data/_git/etl/commit/${SHA}`,
    ],
    [
      'Azure Repos project/name from the webhook, with the configured organization',
      { kind: 'azureRepos', repository: 'Data Platform/etl', commit: SHA },
      `https://dev.azure.com/contoso/Data%20Platform/_git/etl/commit/${SHA}`,
    ],
    ['no repository', { kind: 'upload', commit: SHA }, undefined],
    ['not a sha', { kind: 'github', repository: 'contoso/etl', commit: 'main"><script>' }, undefined],
    [
      'a javascript: repository',
      { kind: 'azureRepos', repository: 'javascript:alert(1)//', commit: SHA },
      undefined,
    ],
    [
      'plain http',
      { kind: 'azureRepos', repository: 'http://dev.azure.com/c/p/_git/r', commit: SHA },
      undefined,
    ],
    ['GitHub name with markup', { kind: 'github', repository: 'contoso/<etl>', commit: SHA }, undefined],
    [
      // Issue 10: what the webhook recorded for project "https:" and repository "//evil.example/_git/x".
      'an Azure Repos project https: with a repository //evil.example/_git/x',
      { kind: 'azureRepos', repository: 'https:////evil.example/_git/x', commit: SHA },
      undefined,
    ],
    [
      'an Azure Repos URL on another host',
      { kind: 'azureRepos', repository: 'https://evil.example/contoso/Data/_git/etl', commit: SHA },
      undefined,
    ],
    [
      'an Azure Repos URL of another organization on the same host',
      { kind: 'azureRepos', repository: 'https://dev.azure.com/contosoevil/Data/_git/etl', commit: SHA },
      undefined,
    ],
    [
      'an Azure Repos URL climbing out of the organization',
      { kind: 'azureRepos', repository: 'https://dev.azure.com/contoso/../evil/_git/etl', commit: SHA },
      undefined,
    ],
    ['an Azure Repos project named ..', { kind: 'azureRepos', repository: '../etl', commit: SHA }, undefined],
    [
      'an Azure Repos project that is a scheme',
      { kind: 'azureRepos', repository: 'https%3A/etl', commit: SHA },
      undefined,
    ],
    [
      'an unknown host for a manual run',
      { kind: 'manual', repository: 'https://example.com/x', commit: SHA },
      undefined,
    ],
  ];
  it.each(cases)('%s', (_, source, url) => {
    expect(commitUrl(source, 'https://dev.azure.com/contoso/')).toBe(url);
  });

  it('does not link an Azure Repos project/name without a configured https organization', () => {
    const source: ReleaseSource = { kind: 'azureRepos', repository: 'Data/etl', commit: SHA };
    expect(commitUrl(source)).toBeUndefined();
    expect(commitUrl(source, 'javascript:alert(1)')).toBeUndefined();
  });
});

describe('renderCommit', () => {
  it('shows the sha of a webhook release that names another host as text, never as a link (issue 10)', () => {
    // What the Azure Repos webhook recorded for project "https:" and repository "//evil.example/_git/x".
    const source: ReleaseSource = {
      kind: 'azureRepos',
      repository: 'https:////evil.example/_git/x',
      commit: SHA,
    };
    const html = renderCommit(source, 'https://dev.azure.com/contoso');
    expect(html).toBe(`<code title="${SHA}">${SHA.slice(0, 10)}</code>`);
    expect(html).not.toContain('evil.example');
  });

  it('without a configured organization, links an Azure Repos URL only on Azure DevOps hosts', () => {
    const on = (repository: string): string | undefined =>
      commitUrl({ kind: 'azureRepos', repository, commit: SHA });
    expect(on('https://dev.azure.com/contoso/Data/_git/etl')).toBe(
      `https://dev.azure.com/contoso/Data/_git/etl/commit/${SHA}`,
    );
    expect(on('https://contoso.visualstudio.com/Data/_git/etl')).toBe(
      `https://contoso.visualstudio.com/Data/_git/etl/commit/${SHA}`,
    );
    expect(on('https:////evil.example/_git/x')).toBeUndefined();
    expect(on('https://dev.azure.com.evil.example/c/Data/_git/etl')).toBeUndefined();
  });

  it('links a webhook release into the configured organization', () => {
    const source: ReleaseSource = { kind: 'azureRepos', repository: 'Data/etl', commit: SHA };
    expect(renderCommit(source, 'https://dev.azure.com/contoso')).toBe(
      `<a href="https://dev.azure.com/contoso/Data/_git/etl/commit/${SHA}" rel="noopener noreferrer">` +
        `<code title="${SHA}">${SHA.slice(0, 10)}</code></a>`,
    );
  });
});
