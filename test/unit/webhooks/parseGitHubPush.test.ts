import { describe, expect, it } from 'vitest';
import { parseGitHubPush, type GitHubPushDecision } from '../../../src/sources/parseGitHubPush';
import { branchPushExample, deletionExample, tagPushExample } from '../../fixtures/webhooks/githubExamples';

const SHA = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';

describe('parseGitHubPush (real payloads from @octokit/webhooks-examples)', () => {
  const cases: [string, unknown, string, GitHubPushDecision][] = [
    [
      'a push to the release branch',
      branchPushExample(),
      'master',
      {
        action: 'deploy',
        repository: 'Codertocat/Hello-World',
        commit: SHA,
        ref: 'refs/heads/master',
        requestedBy: 'Codertocat',
      },
    ],
    [
      'a push to another branch',
      branchPushExample(),
      'main',
      { action: 'ignore', reason: 'push to branch master: only pushes to branch main deploy' },
    ],
    [
      'a branch whose name only starts like the release branch',
      { ...branchPushExample(), ref: 'refs/heads/main-old' },
      'main',
      { action: 'ignore', reason: 'push to branch main-old: only pushes to branch main deploy' },
    ],
    [
      'a tag push',
      tagPushExample(),
      'main',
      { action: 'ignore', reason: 'push of tag simple-tag: only pushes to branch main deploy' },
    ],
    [
      'a tag named like the release branch',
      { ...tagPushExample(), ref: 'refs/tags/main' },
      'main',
      { action: 'ignore', reason: 'push of tag main: only pushes to branch main deploy' },
    ],
    [
      'a tag deletion',
      deletionExample(),
      'main',
      { action: 'ignore', reason: 'push of tag simple-tag: only pushes to branch main deploy' },
    ],
    [
      'the deletion of the release branch',
      { ...deletionExample(), ref: 'refs/heads/main' },
      'main',
      { action: 'ignore', reason: 'branch main was deleted: nothing to deploy' },
    ],
    [
      'an all-zero head commit',
      { ...branchPushExample(), after: '0'.repeat(40) },
      'master',
      { action: 'ignore', reason: 'push to branch master has no head commit: nothing to deploy' },
    ],
    [
      'no head commit at all',
      { ...branchPushExample(), after: null },
      'master',
      { action: 'ignore', reason: 'push to branch master has no head commit: nothing to deploy' },
    ],
    [
      'a pusher without a name (the sender counts)',
      { ...branchPushExample(), pusher: null },
      'master',
      {
        action: 'deploy',
        repository: 'Codertocat/Hello-World',
        commit: SHA,
        ref: 'refs/heads/master',
        requestedBy: 'Codertocat',
      },
    ],
    [
      'a SHA-256 repository',
      { ...branchPushExample(), after: 'ab'.repeat(32) },
      'master',
      {
        action: 'deploy',
        repository: 'Codertocat/Hello-World',
        commit: 'ab'.repeat(32),
        ref: 'refs/heads/master',
        requestedBy: 'Codertocat',
      },
    ],
    [
      'a head commit that is not a sha',
      { ...branchPushExample(), after: 'HEAD~1' },
      'master',
      { action: 'reject', problem: 'after: "HEAD~1" is not a commit sha' },
    ],
    [
      'a repository name that would escape the API path',
      { ...branchPushExample(), repository: { full_name: 'Codertocat/..' } },
      'master',
      {
        action: 'reject',
        problem: 'not a GitHub push payload: repository.full_name: must be owner/repository',
      },
    ],
    [
      'a payload without ref',
      { zen: 'Design for failure.' },
      'main',
      {
        action: 'reject',
        problem:
          'not a GitHub push payload: ref: Invalid input: expected string, received undefined; repository: Invalid input: expected object, received undefined',
      },
    ],
  ];
  it.each(cases)('%s', (_name, payload, branch, expected) => {
    expect(parseGitHubPush(payload, { branch, repositories: ['Codertocat/Hello-World'] })).toEqual(expected);
  });

  const pinned: [string, string[], GitHubPushDecision['action']][] = [
    ['the configured repository', ['Codertocat/Hello-World'], 'deploy'],
    ['the configured repository spelled in other case', ['codertocat/HELLO-WORLD'], 'deploy'],
    ['one of several configured repositories', ['contoso/etl', 'Codertocat/Hello-World'], 'deploy'],
    ['another repository of the same owner', ['Codertocat/Hello-World-2'], 'foreign'],
    ['a repository whose name only starts like it', ['Codertocat/Hello'], 'foreign'],
    ['no repository configured', [], 'foreign'],
  ];
  it.each(pinned)('BRICKLANE_GITHUB_REPOSITORY: %s -> %s', (_name, repositories, action) => {
    expect(parseGitHubPush(branchPushExample(), { branch: 'master', repositories }).action).toBe(action);
  });

  it('says which repository was received and which are configured', () => {
    const repositories = ['contoso/etl', 'contoso/ml'];
    expect(parseGitHubPush(branchPushExample(), { branch: 'master', repositories })).toEqual({
      action: 'foreign',
      problem:
        'the push comes from repository Codertocat/Hello-World, not from contoso/etl, contoso/ml ' +
        '(BRICKLANE_GITHUB_REPOSITORY): nothing was started',
    });
  });
});
