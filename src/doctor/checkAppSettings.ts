// Pure: the app-wide checks that need no call: approval signing keys, the public URL, the webhook secrets.
// They read loaded Settings (so every rule loadSettings applies has already held) and add what only the
// whole picture shows: a key that is still the sample's placeholder, links that would point at localhost
// from Azure, a webhook source that is half configured.
import type { Settings } from '../config/Settings';
import type { DoctorCheck } from './DoctorCheck';
import { settingFix, type DoctorRuntime } from './DoctorRuntime';

/** local.settings.sample.json fills secrets with `<what to put here>`; such a value was never replaced. */
const PLACEHOLDER = /^<.*>$/s;
/**
 * App Service leaves a Key Vault reference it cannot resolve as its literal text in the setting
 * (learn.microsoft.com, app-service-key-vault-references, "Troubleshoot Key Vault references"); as a key it
 * is long enough to pass every length rule and is no secret at all.
 */
const UNRESOLVED_REFERENCE = /^@Microsoft\.KeyVault\(/i;
const NEW_KEY = '"$(openssl rand -base64 48)"';

export function checkAppSettings(settings: Settings, runtime: DoctorRuntime): DoctorCheck[] {
  return [
    checkSigningKeys(settings, runtime),
    checkPublicUrl(settings, runtime),
    checkGitHubWebhook(settings, runtime),
    checkAzureReposHook(settings, runtime),
  ];
}

function checkSigningKeys(settings: Settings, runtime: DoctorRuntime): DoctorCheck {
  const name = 'approval signing keys';
  const keys = settings.approvalSigningKeys;
  const gated = settings.environments.filter((e) => e.approval.required).map((e) => e.name);
  const fix = settingFix(runtime, { BRICKLANE_APPROVAL_SIGNING_KEYS: NEW_KEY });
  if (keys.some((k) => UNRESOLVED_REFERENCE.test(k))) {
    return {
      status: 'fail',
      name,
      detail:
        'BRICKLANE_APPROVAL_SIGNING_KEYS is a Key Vault reference that App Service could not resolve, so the ' +
        "reference's own text would be the key",
      fix:
        'grant the app identity "Key Vault Secrets User" on the app\'s Key Vault and check the reference\'s status ' +
        `(Function App → Environment variables); or ${fix}`,
    };
  }
  if (keys.some((k) => PLACEHOLDER.test(k))) {
    return {
      status: 'fail',
      name,
      detail: 'BRICKLANE_APPROVAL_SIGNING_KEYS still holds the sample placeholder, which anyone can read',
      fix,
    };
  }
  if (keys.length === 0) {
    if (gated.length === 0) {
      return { status: 'skip', name, detail: 'not set, and no environment requires approval' };
    }
    // createApprovalToken throws MissingSigningKeyError then; notices fall back to the status page.
    return {
      status: 'fail',
      name,
      detail:
        `BRICKLANE_APPROVAL_SIGNING_KEYS is empty, but ${gated.join(', ')} require(s) approval: ` +
        'approval links cannot be signed',
      fix,
    };
  }
  // loadSettings has refused any key under 32 bytes, the rule the signing code relies on.
  return {
    status: 'ok',
    name,
    detail: `${keys.length} key(s) of at least 32 characters; the first signs${keys.length > 1 ? ', the others still verify' : ''}`,
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
  const { webhookSecret, token } = settings.sources.github;
  const fix = settingFix(runtime, {
    BRICKLANE_GITHUB_WEBHOOK_SECRET: '<the secret of the GitHub webhook>',
  });
  if (webhookSecret && UNRESOLVED_REFERENCE.test(webhookSecret)) {
    return {
      status: 'fail',
      name,
      detail: 'BRICKLANE_GITHUB_WEBHOOK_SECRET is a Key Vault reference that App Service could not resolve',
      fix: 'grant the app identity "Key Vault Secrets User" on the vault the reference names, and check the reference\'s status (Function App → Environment variables)',
    };
  }
  if (webhookSecret && PLACEHOLDER.test(webhookSecret)) {
    return {
      status: 'fail',
      name,
      detail: 'BRICKLANE_GITHUB_WEBHOOK_SECRET still holds the sample placeholder',
      fix,
    };
  }
  if (webhookSecret)
    return { status: 'ok', name, detail: 'configured; /api/webhooks/github verifies deliveries' };
  // A GitHub token only serves archives of pushed commits, so it means pushes are expected from GitHub.
  if (token) {
    return {
      status: 'fail',
      name,
      detail:
        'BRICKLANE_GITHUB_TOKEN is set, so GitHub pushes are expected, but without ' +
        'BRICKLANE_GITHUB_WEBHOOK_SECRET the webhook route answers 503 to every delivery',
      fix,
    };
  }
  return {
    status: 'skip',
    name,
    detail: 'not used: /api/webhooks/github answers 503 until BRICKLANE_GITHUB_WEBHOOK_SECRET is set',
  };
}

function checkAzureReposHook(settings: Settings, runtime: DoctorRuntime): DoctorCheck {
  const name = 'Azure Repos service hook';
  const { hookUsername, hookPassword, organizationUrl, pat } = settings.sources.azureRepos;
  const settingsOf = {
    BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME: hookUsername,
    BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD: hookPassword,
    BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL: organizationUrl,
  };
  const placeholder = Object.entries(settingsOf).find(
    ([, v]) => v !== undefined && (PLACEHOLDER.test(v) || UNRESOLVED_REFERENCE.test(v)),
  );
  if (placeholder) {
    const [key] = placeholder;
    return {
      status: 'fail',
      name,
      detail: `${key} still holds the sample placeholder, or a Key Vault reference App Service could not resolve`,
      fix: settingFix(runtime, { [key]: '<the real value>' }),
    };
  }
  const missing = Object.entries(settingsOf)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
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
      fix: settingFix(
        runtime,
        Object.fromEntries(
          missing.map((key) => [
            key,
            key.endsWith('ORGANIZATION_URL')
              ? 'https://dev.azure.com/<organization>'
              : "<as in the service hook's Basic authentication>",
          ]),
        ),
      ),
    };
  }
  return {
    status: 'skip',
    name,
    detail:
      'not used: the Azure Repos route answers 503 until the BRICKLANE_AZURE_DEVOPS_HOOK_* settings are set',
  };
}
