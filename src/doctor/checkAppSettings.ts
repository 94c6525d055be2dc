// Pure: the app-wide checks that need no call: approval signing keys, the public URL, the webhook secrets.
// They read loaded Settings (so every rule loadSettings applies has already held) and add what only the
// whole picture shows: a secret that is still the sample's placeholder, links that would point at
// localhost from Azure, a webhook source that is half configured. (Unresolved Key Vault references are
// settings problems: loadSettings refuses them.)
import type { Settings } from '../config/Settings';
import type { DoctorCheck } from './DoctorCheck';
import { settingFix, type DoctorRuntime } from './DoctorRuntime';

/** local.settings.sample.json fills secrets with `<what to put here>`; such a value was never replaced. */
const PLACEHOLDER = /^<.*>$/s;
const NEW_KEY = '"$(openssl rand -base64 48)"';

export function checkAppSettings(settings: Settings, runtime: DoctorRuntime): DoctorCheck[] {
  return [
    checkSigningKeys(settings, runtime),
    checkPublicUrl(settings, runtime),
    checkGitHubWebhook(settings, runtime),
    checkAzureReposHook(settings, runtime),
  ];
}

/** A secret setting that still holds the sample's `<...>` placeholder: long enough for every rule, and public. */
function unusableSecret(
  name: string,
  key: string,
  value: string | undefined,
  newValue: string,
  runtime: DoctorRuntime,
): DoctorCheck | undefined {
  if (value === undefined || !PLACEHOLDER.test(value)) return undefined;
  return {
    status: 'fail',
    name,
    detail: `${key} still holds the sample's placeholder`,
    fix: settingFix(runtime, { [key]: newValue }),
  };
}

function checkSigningKeys(settings: Settings, runtime: DoctorRuntime): DoctorCheck {
  const name = 'approval signing keys';
  const key = 'BRICKLANE_APPROVAL_SIGNING_KEYS';
  const keys = settings.approvalSigningKeys;
  for (const k of keys) {
    const unusable = unusableSecret(name, key, k, NEW_KEY, runtime);
    if (unusable) return unusable;
  }
  if (keys.length > 0) {
    // loadSettings has refused any key under 32 bytes, the rule the signing code relies on.
    const rotation = keys.length > 1 ? ', the others still verify' : '';
    return {
      status: 'ok',
      name,
      detail: `${keys.length} key(s) of at least 32 characters; the first signs${rotation}`,
    };
  }
  const gated = settings.environments.filter((e) => e.approval.required).map((e) => e.name);
  if (gated.length === 0)
    return { status: 'skip', name, detail: 'not set, and no environment requires approval' };
  // createApprovalToken would throw MissingSigningKeyError; notices would fall back to the status page.
  return {
    status: 'fail',
    name,
    detail: `${key} is empty, but ${gated.join(', ')} require(s) approval: approval links cannot be signed`,
    fix: settingFix(runtime, { [key]: NEW_KEY }),
  };
}

function checkPublicUrl(settings: Settings, runtime: DoctorRuntime): DoctorCheck {
  const name = 'public URL';
  const url = new URL(settings.publicUrl);
  if (!runtime.inAzure) {
    return { status: 'ok', name, detail: `${url.origin} (local run: links point at this machine)` };
  }
  const local = ['localhost', '127.0.0.1', '[::1]', '0.0.0.0'].includes(url.hostname);
  if (url.protocol !== 'https:' || local) {
    return {
      status: 'fail',
      name,
      detail:
        `BRICKLANE_PUBLIC_URL is ${url.origin} while the app runs in Azure: approval and status links ` +
        `would not reach it${url.protocol === 'https:' ? '' : ' (or would travel unencrypted)'}`,
      fix: settingFix(runtime, {
        BRICKLANE_PUBLIC_URL: `https://${runtime.hostname ?? '<app>.azurewebsites.net'}`,
      }),
    };
  }
  const other =
    runtime.hostname && url.host !== runtime.hostname
      ? ` (the app's own host is ${runtime.hostname}; fine when a custom domain routes to it)`
      : '';
  return { status: 'ok', name, detail: `${url.origin}${other}` };
}

function checkGitHubWebhook(settings: Settings, runtime: DoctorRuntime): DoctorCheck {
  const name = 'GitHub webhook secret';
  const key = 'BRICKLANE_GITHUB_WEBHOOK_SECRET';
  const newValue = '<the secret of the GitHub webhook>';
  const { webhookSecret, token } = settings.sources.github;
  const unusable = unusableSecret(name, key, webhookSecret, newValue, runtime);
  if (unusable) return unusable;
  if (webhookSecret)
    return { status: 'ok', name, detail: 'configured; /api/webhooks/github verifies deliveries' };
  // A GitHub token only serves archives of pushed commits, so it means pushes are expected from GitHub.
  if (token) {
    return {
      status: 'fail',
      name,
      detail: `BRICKLANE_GITHUB_TOKEN is set, so GitHub pushes are expected, but without ${key} the webhook route answers 503 to every delivery`,
      fix: settingFix(runtime, { [key]: newValue }),
    };
  }
  return { status: 'skip', name, detail: `not used: /api/webhooks/github answers 503 until ${key} is set` };
}

function checkAzureReposHook(settings: Settings, runtime: DoctorRuntime): DoctorCheck {
  const name = 'Azure Repos service hook';
  const { hookUsername, hookPassword, organizationUrl, pat } = settings.sources.azureRepos;
  const values: Record<string, string | undefined> = {
    BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME: hookUsername,
    BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD: hookPassword,
    BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL: organizationUrl,
  };
  const newValue = (key: string): string =>
    key.endsWith('ORGANIZATION_URL')
      ? 'https://dev.azure.com/<organization>'
      : "<as in the service hook's Basic authentication>";
  for (const [key, value] of Object.entries(values)) {
    const unusable = unusableSecret(name, key, value, newValue(key), runtime);
    if (unusable) return unusable;
  }
  const missing = Object.keys(values).filter((key) => values[key] === undefined);
  if (missing.length === 0) {
    return {
      status: 'ok',
      name,
      detail: `configured for ${organizationUrl ?? ''}; /api/webhooks/azure-devops checks Basic authentication`,
    };
  }
  // azureDevOpsWebhook needs all three; any one of them (or a PAT) set means the hook is meant to be used.
  if (missing.length < 3 || pat) {
    return {
      status: 'fail',
      name,
      detail: `half configured: ${missing.join(', ')} not set, so /api/webhooks/azure-devops answers 503`,
      fix: settingFix(runtime, Object.fromEntries(missing.map((key) => [key, newValue(key)]))),
    };
  }
  return {
    status: 'skip',
    name,
    detail:
      'not used: /api/webhooks/azure-devops answers 503 until the BRICKLANE_AZURE_DEVOPS_HOOK_* settings are set',
  };
}
