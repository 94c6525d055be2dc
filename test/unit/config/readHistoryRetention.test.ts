import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../../src/config/loadSettings';
import {
  DEFAULT_HISTORY_RETENTION_DAYS,
  readHistoryRetention,
} from '../../../src/config/readHistoryRetention';

const read = (value: string | undefined): { days: number; problems: string[] } => {
  const problems: string[] = [];
  const days = readHistoryRetention({ BRICKLANE_HISTORY_RETENTION_DAYS: value }, problems);
  return { days, problems };
};

describe('BRICKLANE_HISTORY_RETENTION_DAYS', () => {
  it.each([
    [undefined, DEFAULT_HISTORY_RETENTION_DAYS],
    ['', DEFAULT_HISTORY_RETENTION_DAYS],
    ['7', 7],
    [' 90 ', 90],
    ['0', 0],
    ['off', 0],
    ['OFF', 0],
    ['3650', 3650],
  ])('%j keeps the history %j days (0: for ever)', (value, days) => {
    expect(read(value)).toEqual({ days, problems: [] });
  });

  it.each(['-1', '1.5', '30d', 'never', '3651'])('refuses %j, naming the setting', (value) => {
    expect(read(value).problems).toEqual([
      `BRICKLANE_HISTORY_RETENTION_DAYS must be a whole number of days from 0 to 3650, or off, got "${value}"`,
    ]);
  });

  it('reaches the settings (default 30) and fails them with every other problem', () => {
    const base = {
      BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true',
      BRICKLANE_DEV_DATABRICKS_AUTH: 'token',
      BRICKLANE_DEV_WORKSPACE_URL: 'https://adb-1.1.azuredatabricks.net',
      BRICKLANE_DEV_DATABRICKS_TOKEN: 'dapi-x',
    };
    expect(loadSettings(base).historyRetentionDays).toBe(30);
    expect(loadSettings({ ...base, BRICKLANE_HISTORY_RETENTION_DAYS: 'off' }).historyRetentionDays).toBe(0);
    expect(() => loadSettings({ ...base, BRICKLANE_HISTORY_RETENTION_DAYS: 'soon' })).toThrow(SettingsError);
  });
});
