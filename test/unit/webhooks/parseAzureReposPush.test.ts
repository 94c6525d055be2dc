import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAzureReposPush } from '../../../src/sources/parseAzureReposPush';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'webhooks', 'azure-devops-git.push.json');
const COMMIT = '33b55f7cb7e7e245323987634f960cf4a6e6bc74';

interface GitPush {
  eventType?: string;
  resource: {
    refUpdates: { name: string; oldObjectId?: string; newObjectId: string }[];
    repository: { id: string; url?: string; project: { id?: string; name?: string } };
  };
  resourceContainers?: Record<string, { id?: string; baseUrl?: string }>;
}

const gitPush = (): GitPush => JSON.parse(readFileSync(FIXTURE, 'utf8')) as GitPush;
const settings = { branch: 'main', organizationUrl: 'https://dev.azure.com/fabrikam-fiber-inc' };

/** The fixture with every organization URL it carries replaced. */
function from(baseUrl: string, repositoryUrl?: string): GitPush {
  const payload = gitPush();
  for (const container of Object.values(payload.resourceContainers ?? {})) container.baseUrl = baseUrl;
  if (repositoryUrl === undefined) delete payload.resource.repository.url;
  else payload.resource.repository.url = repositoryUrl;
  return payload;
}

describe('parseAzureReposPush', () => {
  it("deploys the documented payload's push to main", () => {
    expect(parseAzureReposPush(gitPush(), settings)).toEqual({
      action: 'deploy',
      project: 'Fabrikam-Fiber-Git',
      projectId: '6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c',
      repositoryId: '278d5cd2-584d-4b63-824a-2ba458937249',
      repositoryName: 'Fabrikam-Fiber-Git',
      commit: COMMIT,
      ref: 'refs/heads/main',
      requestedBy: 'Windows Live ID\\fabrikamfiber4@hotmail.com',
    });
  });

  it('finds the release branch among several ref updates', () => {
    const payload = gitPush();
    payload.resource.refUpdates = [
      { name: 'refs/tags/v1', newObjectId: COMMIT },
      { name: 'refs/heads/main', newObjectId: COMMIT },
    ];
    expect(parseAzureReposPush(payload, settings)).toMatchObject({ action: 'deploy', commit: COMMIT });
  });

  it('uses the project id when the payload has no project name', () => {
    const payload = gitPush();
    delete payload.resource.repository.project.name;
    expect(parseAzureReposPush(payload, settings)).toMatchObject({
      action: 'deploy',
      project: '6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c',
    });
  });

  const organizations: [string, GitPush, 'deploy' | 'foreign'][] = [
    [
      'the same organization with a trailing slash',
      from('https://dev.azure.com/fabrikam-fiber-inc/'),
      'deploy',
    ],
    ['the same organization in capitals', from('HTTPS://DEV.AZURE.COM/Fabrikam-Fiber-Inc/'), 'deploy'],
    [
      'the legacy visualstudio.com URL of the same organization',
      from(
        'https://fabrikam-fiber-inc.visualstudio.com/',
        'https://fabrikam-fiber-inc.visualstudio.com/DefaultCollection/_apis/git/repositories/278d5cd2-584d-4b63-824a-2ba458937249',
      ),
      'deploy',
    ],
    ['another organization', from('https://dev.azure.com/contoso/'), 'foreign'],
    [
      'an organization whose name extends ours',
      from('https://dev.azure.com/fabrikam-fiber-inc-evil/'),
      'foreign',
    ],
    [
      'a dot segment climbing out of ours',
      from('https://dev.azure.com/fabrikam-fiber-inc/../contoso/'),
      'foreign',
    ],
    [
      'user info in front of the host',
      from('https://dev.azure.com@evil.example/fabrikam-fiber-inc/'),
      'foreign',
    ],
    ['another host', from('https://fabrikam-fiber-inc.example.com/'), 'foreign'],
    ['plain http', from('http://dev.azure.com/fabrikam-fiber-inc/'), 'foreign'],
    ['a URL that does not parse', from('not a url'), 'foreign'],
    [
      'a matching account with a repository elsewhere',
      from(
        'https://dev.azure.com/fabrikam-fiber-inc/',
        'https://dev.azure.com/contoso/_apis/git/repositories/x',
      ),
      'foreign',
    ],
  ];
  it.each(organizations)('%s', (_name, payload, action) => {
    expect(parseAzureReposPush(payload, settings).action).toBe(action);
  });

  it('names the foreign organization and the setting', () => {
    expect(parseAzureReposPush(from('https://dev.azure.com/contoso/'), settings)).toEqual({
      action: 'foreign',
      problem:
        'the push comes from https://dev.azure.com/contoso, not from the configured organization ' +
        'https://dev.azure.com/fabrikam-fiber-inc (BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL)',
    });
  });

  it('rejects a payload that names no organization at all', () => {
    const payload = gitPush();
    delete payload.resourceContainers;
    delete payload.resource.repository.url;
    expect(parseAzureReposPush(payload, settings)).toEqual({
      action: 'reject',
      problem: 'the payload names no organization (resourceContainers.account.baseUrl)',
    });
  });

  const ignored: [string, (p: GitPush) => void, string][] = [
    [
      'a push to another branch',
      (p) => (p.resource.refUpdates = [{ name: 'refs/heads/dev', newObjectId: COMMIT }]),
      'push to refs/heads/dev: only pushes to branch main deploy',
    ],
    [
      'a tag named like the branch',
      (p) => (p.resource.refUpdates = [{ name: 'refs/tags/main', newObjectId: COMMIT }]),
      'push to refs/tags/main: only pushes to branch main deploy',
    ],
    [
      'the deletion of main',
      (p) =>
        (p.resource.refUpdates = [
          { name: 'refs/heads/main', oldObjectId: COMMIT, newObjectId: '0'.repeat(40) },
        ]),
      'branch main was deleted: nothing to deploy',
    ],
    [
      'another event type',
      (p) => (p.eventType = 'tfvc.checkin'),
      'event tfvc.checkin is not git.push: subscribe the service hook to "Code pushed"',
    ],
    [
      'a payload without event type',
      (p) => delete p.eventType,
      'event (none) is not git.push: subscribe the service hook to "Code pushed"',
    ],
  ];
  it.each(ignored)('ignores %s', (_name, change, reason) => {
    const payload = gitPush();
    change(payload);
    expect(parseAzureReposPush(payload, settings)).toEqual({ action: 'ignore', reason });
  });

  it('rejects a new object id that is not a commit sha', () => {
    const payload = gitPush();
    payload.resource.refUpdates = [{ name: 'refs/heads/main', newObjectId: 'main~1' }];
    expect(parseAzureReposPush(payload, settings)).toEqual({
      action: 'reject',
      problem: 'newObjectId "main~1" is not a commit sha',
    });
  });

  // Issue 10: names go into fetch URLs, pages and links, so only names Azure DevOps allows pass.
  const names: [string, string | undefined, string | undefined, string][] = [
    [
      'a project named ..',
      '..',
      undefined,
      'resource.repository.project.name: ".." must not start with _ or . nor end with .',
    ],
    [
      'a project named .',
      '.',
      undefined,
      'resource.repository.project.name: "." must not start with _ or . nor end with .',
    ],
    [
      'a project https: with a repository //evil.example/_git/x',
      'https:',
      '//evil.example/_git/x',
      'resource.repository.project.name: "https:" must not contain control characters or any of \\ / : * ? " \' < > ; # $ { } , + = [ ] | % & @ ~',
    ],
    [
      'a repository //evil.example/_git/x',
      undefined,
      '//evil.example/_git/x',
      'resource.repository.name: "//evil.example/_git/x" must not contain control characters or any of \\ / : * ? " \' < > ; # $ { } , + = [ ] | % & @ ~',
    ],
    [
      'a percent-encoded dot segment',
      '%2e%2e',
      undefined,
      'resource.repository.project.name: "%2e%2e" must not contain control characters or any of \\ / : * ? " \' < > ; # $ { } , + = [ ] | % & @ ~',
    ],
    [
      'a repository name ending in a period',
      undefined,
      'etl.',
      'resource.repository.name: "etl." must not start with _ or . nor end with .',
    ],
    [
      'a reserved project name',
      'CON',
      undefined,
      'resource.repository.project.name: "CON" is a name Azure DevOps reserves',
    ],
    [
      'a project name over 64 characters',
      'p'.repeat(65),
      undefined,
      `resource.repository.project.name: "${'p'.repeat(64)}" must be 1 to 64 characters`,
    ],
    [
      'a control character',
      'Data\nPlatform',
      undefined,
      'resource.repository.project.name: "Data\nPlatform" must not contain control characters or any of \\ / : * ? " \' < > ; # $ { } , + = [ ] | % & @ ~',
    ],
  ];
  it.each(names)('rejects %s', (_name, project, repository, problem) => {
    const payload = gitPush() as GitPush & { resource: { repository: { name?: string } } };
    if (project !== undefined) payload.resource.repository.project.name = project;
    if (repository !== undefined) payload.resource.repository.name = repository;
    expect(parseAzureReposPush(payload, settings)).toEqual({ action: 'reject', problem });
  });

  it.each(['Data Platform', 'Fabrikam-Fiber-Git', 'ünïcode Projekt', 'a.b', 'x_1'])(
    'accepts the project name %j',
    (name) => {
      const payload = gitPush();
      payload.resource.repository.project.name = name;
      expect(parseAzureReposPush(payload, settings)).toMatchObject({ action: 'deploy', project: name });
    },
  );

  it('ignores payloads that are not objects', () => {
    expect(parseAzureReposPush(null, settings).action).toBe('ignore');
    expect(parseAzureReposPush('git.push', settings).action).toBe('ignore');
  });
});
