// Pure: does a project or repository name follow Azure DevOps' naming rules? Names from service hook
// payloads go into fetch URLs and commit links, so only what Azure DevOps itself allows passes. Rules from
// "Naming restrictions and conventions" (learn.microsoft.com/azure/devops/organizations/settings/
// naming-restrictions), sections Projects and Azure Repos (Git): at most 64 characters; none of
// \ / : * ? " ' < > ; # $ { } , + = [ ] | % & @ ~ (the page lists these for projects and repositories);
// no ASCII control characters; not starting with `_` or `.`, not ending with `.`; so never `.` or `..`;
// not a system reserved name (AUX, COM1-COM9, CON, LPT1-LPT9, NUL, PRN, App_code, bin, web.config, ...).
// (The page warns that the REST API accepts some names the UI refuses; those are refused here too.)
const SPECIAL = /[\\/:*?"'<>;#${},+=[\]|%&@~]/;
const RESERVED =
  /^(?:aux|con|nul|prn|com\d|lpt\d|app_browsers|app_code|app_data|app_globalresources|app_localresources|app_themes|app_webresources|bin|web\.config|defaultcollection|server|signalr|web)$/i;

/** Undefined when `name` is a valid Azure DevOps project or repository name, else why not. */
export function azureDevOpsNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 64) return 'must be 1 to 64 characters';
  if (SPECIAL.test(name) || [...name].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127))
    return 'must not contain control characters or any of \\ / : * ? " \' < > ; # $ { } , + = [ ] | % & @ ~';
  if (/^[_.]|\.$/.test(name)) return 'must not start with _ or . nor end with .';
  if (RESERVED.test(name)) return 'is a name Azure DevOps reserves';
  return undefined;
}
