import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../../src/config/loadSettings';
import { notifyFormatFor, readNotifyFormat } from '../../../src/config/readNotifyFormat';

describe('notifyFormatFor', () => {
  it.each([
    ['https://hooks.slack.com/services/T000/B000/XXXX', 'slack'],
    ['https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456', 'teams'],
    ['https://outlook.office.com/webhook/abc/IncomingWebhook/def', 'teams'],
    [
      'https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x',
      'teams',
    ],
    [
      'https://default1234.56.environment.api.powerplatform.com:443/powerautomate/automations/direct/x',
      'teams',
    ],
    ['https://127.0.0.1:8443/hook', 'text'],
    ['https://hooks.slack.com.evil.example/services/x', 'text'],
    ['https://webhook.office.com.evil.example/x', 'text'],
    ['https://notlogic.azure.com/x', 'text'],
    ['not a url', 'text'],
  ])('%s -> %s', (url, format) => {
    expect(notifyFormatFor(url)).toBe(format);
  });

  it('lets the override win over the host', () => {
    expect(notifyFormatFor('https://hooks.slack.com/services/T/B/X', 'text')).toBe('text');
    expect(notifyFormatFor('https://relay.example/hook', 'teams')).toBe('teams');
  });
});

describe('readNotifyFormat', () => {
  it('reads BRICKLANE_<ENV>_NOTIFY_FORMAT, case-insensitively, and refuses anything else', () => {
    const problems: string[] = [];
    expect(readNotifyFormat({ BRICKLANE_PROD_NOTIFY_FORMAT: ' Slack ' }, 'prod', problems)).toBe('slack');
    expect(readNotifyFormat({}, 'prod', problems)).toBeUndefined();
    expect(readNotifyFormat({ BRICKLANE_PROD_NOTIFY_FORMAT: 'card' }, 'prod', problems)).toBeUndefined();
    expect(problems).toEqual(['BRICKLANE_PROD_NOTIFY_FORMAT must be one of teams, slack, text, got "card"']);
  });

  it('is part of the environment loadSettings reads, and a bad value is a settings problem', () => {
    const base = {
      BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true',
      BRICKLANE_ENVIRONMENTS: 'dev,prod',
      BRICKLANE_DEV_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001',
      BRICKLANE_PROD_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001',
    };
    const settings = loadSettings({ ...base, BRICKLANE_PROD_NOTIFY_FORMAT: 'teams' });
    expect(settings.environments.map((e) => [e.name, e.notifyFormat])).toEqual([
      ['dev', undefined],
      ['prod', 'teams'],
    ]);
    expect(() => loadSettings({ ...base, BRICKLANE_DEV_NOTIFY_FORMAT: 'html' })).toThrow(SettingsError);
  });
});
