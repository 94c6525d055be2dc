// Pure: app settings (a plain record, e.g. process.env) -> validated Settings, or every problem at once.
// Keys are flat (`BRICKLANE_DEV_WORKSPACE_URL`) so they can be set one by one in the Functions portal.
import { z } from 'zod';
import type { EnvironmentSettings, Settings } from './Settings';

export class SettingsError extends Error {
  readonly code = 'InvalidSettings';
  constructor(readonly problems: string[]) {
    super(`settings: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

const ENV_NAME = /^[a-z][a-z0-9]{0,15}$/;

export function loadSettings(values: Readonly<Record<string, string | undefined>>): Settings {
  const problems: string[] = [];
  const names = (values.BRICKLANE_ENVIRONMENTS ?? 'dev')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!ENV_NAME.test(n)) {
      problems.push(
        `BRICKLANE_ENVIRONMENTS: "${n}" is not a valid environment name (lower-case letters and digits, starting with a letter, at most 16)`,
      );
    }
  }
  if (new Set(names).size !== names.length)
    problems.push('BRICKLANE_ENVIRONMENTS: an environment is listed twice');

  const environments: EnvironmentSettings[] = [];
  for (const name of names.filter((n) => ENV_NAME.test(n))) {
    const prefix = `BRICKLANE_${name.toUpperCase()}_`;
    const url = values[`${prefix}WORKSPACE_URL`];
    const token = values[`${prefix}DATABRICKS_TOKEN`];
    const parsedUrl = z.url({ protocol: /^https$/ }).safeParse(url);
    if (!url)
      problems.push(
        `${prefix}WORKSPACE_URL is not set: set it to the workspace URL (https://adb-....azuredatabricks.net)`,
      );
    else if (!parsedUrl.success)
      problems.push(`${prefix}WORKSPACE_URL must be an https:// URL, got "${url}"`);
    if (!token)
      problems.push(`${prefix}DATABRICKS_TOKEN is not set: set it to a Databricks token for that workspace`);
    if (url && parsedUrl.success && token) {
      environments.push({ name, workspaceUrl: url.replace(/\/+$/, ''), databricksToken: token });
    }
  }

  const connectionString = values.BRICKLANE_LEDGER_CONNECTION ?? values.AzureWebJobsStorage;
  if (!connectionString) {
    problems.push(
      'BRICKLANE_LEDGER_CONNECTION is not set: set it to the storage connection string that holds the ledger',
    );
  }
  const maxInFlight = Number(values.BRICKLANE_MAX_IN_FLIGHT ?? '16');
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > 64) {
    problems.push(
      `BRICKLANE_MAX_IN_FLIGHT must be an integer from 1 to 64, got "${values.BRICKLANE_MAX_IN_FLIGHT}"`,
    );
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return {
    environments,
    ledger: {
      connectionString: connectionString ?? '',
      container: values.BRICKLANE_LEDGER_CONTAINER ?? 'bricklane-ledger',
    },
    maxInFlight,
  };
}

export function environmentByName(settings: Settings, name: string): EnvironmentSettings {
  const env = settings.environments.find((e) => e.name === name);
  if (!env) {
    const known = settings.environments.map((e) => e.name).join(', ');
    throw new SettingsError([
      `environment "${name}" is not configured (configured: ${known || 'none'}); add it to BRICKLANE_ENVIRONMENTS`,
    ]);
  }
  return env;
}
