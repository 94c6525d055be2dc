// Pure: is this text a GitHub `owner/name`? Owner: letters, digits and single hyphens, at most 39
// characters; repository: letters, digits, `.`, `_`, `-`, at most 100, never `.` or `..`
// (https://docs.github.com/repositories/creating-and-managing-repositories/creating-a-new-repository).
// The name goes into API paths, so nothing else passes.
const OWNER_AND_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

export function isGitHubRepositoryName(text: string): boolean {
  return OWNER_AND_NAME.test(text) && !/\/\.{1,2}$/.test(text);
}
