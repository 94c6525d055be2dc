// Test infrastructure: the sandbox's fault spec: what each item sets, and what a mistake's message says.
import { describe, expect, it } from 'vitest';
import { defaultFaults, formatFaultSpec, isFaultFree, noFaults, parseFaultSpec } from './FaultSpec';
import type { FaultSpec } from './FaultSpec';

describe('parseFaultSpec', () => {
  it.each<[string, Partial<FaultSpec>]>([
    ['none', {}],
    ['5xx=0.1', { rate5xx: 0.1 }],
    ['429=0.05,retry-after=0.2', { rate429: 0.05, retryAfterSeconds: 0.2 }],
    ['reset-before=0.02, reset-after=0.03', { resetBeforeRate: 0.02, resetAfterRate: 0.03 }],
    ['lost=0.02', { lostRate: 0.02 }],
    ['spike=0.05:1500', { spike: { rate: 0.05, durationInMs: 1500 } }],
    ['services=arm+keyvault', { services: ['arm', 'keyvault'] }],
    ['services=source+databricks', { services: ['databricks', 'source'] }],
    ['5xx=1', { rate5xx: 1 }],
  ])('reads %s', (text, expected) => {
    expect(parseFaultSpec(text)).toEqual({ ...noFaults, ...expected });
  });

  it('reads the default preset, and items after a preset override it', () => {
    expect(parseFaultSpec('default')).toEqual(defaultFaults);
    expect(defaultFaults).toMatchObject({
      rate5xx: 0.1,
      rate429: 0.05,
      resetBeforeRate: 0.015,
      resetAfterRate: 0.015,
    });
    expect(parseFaultSpec('default,5xx=0.2,services=arm')).toEqual({
      ...defaultFaults,
      rate5xx: 0.2,
      services: ['arm'],
    });
  });

  it.each([
    ['', 'fault spec is empty: give a preset (none, default) or key=value items'],
    ['chaos', 'fault spec item "chaos" is neither a preset (none, default) nor key=value'],
    [
      '500=0.1',
      'fault spec: unknown key "500"; the keys are 5xx, 429, reset-before, reset-after, lost, retry-after, spike, services',
    ],
    ['5xx=1.5', 'fault spec: 5xx=1.5 is out of range; a rate is in 0..1 (0.05 is 5%)'],
    ['429=-0.1', 'fault spec: 429=-0.1 is out of range; a rate is in 0..1 (0.05 is 5%)'],
    ['lost=often', 'fault spec: lost=often is not a number; give a rate in 0..1, e.g. 0.05'],
    ['5xx=', 'fault spec: 5xx= is not a number; give a rate in 0..1, e.g. 0.05'],
    ['retry-after=-1', 'fault spec: retry-after=-1 is out of range; give seconds from 0 to 60'],
    [
      'spike=0.05',
      'fault spec: spike=0.05 needs a rate and a duration in milliseconds, e.g. spike=0.05:1500',
    ],
    ['spike=0.05:1.5', 'fault spec: spike duration 1.5 must be whole milliseconds'],
    ['spike=2:100', 'fault spec: spike=2 is out of range; a rate is in 0..1 (0.05 is 5%)'],
    [
      'services=arm+blob',
      'fault spec: unknown service "blob" in services=; the services are databricks, arm, keyvault, token, identity, source',
    ],
    [
      'services=',
      'fault spec: services= needs service names joined by +: databricks+arm+keyvault+token+identity+source',
    ],
    [
      '5xx=0.6,429=0.5',
      'fault spec: 5xx + 429 + reset-before + reset-after + lost is 1.1, more than 1 (one draw per request picks at most one fault); lower some of them',
    ],
  ])('refuses %j: %s', (text, message) => {
    expect(() => parseFaultSpec(text)).toThrow(new Error(message));
  });
});

describe('formatFaultSpec', () => {
  it.each(['none', 'default', '5xx=0.3,spike=0.1:250,services=token+identity', 'lost=1'])(
    'round-trips %s',
    (text) => {
      const spec = parseFaultSpec(text);
      expect(parseFaultSpec(formatFaultSpec(spec))).toEqual(spec);
    },
  );

  it('prints every setting, so a printed run can be replayed', () => {
    expect(formatFaultSpec(defaultFaults)).toBe(
      '5xx=0.1,429=0.05,retry-after=0.1,reset-before=0.015,reset-after=0.015,lost=0.02,spike=0.03:800,' +
        'services=databricks+arm+keyvault+token+identity+source',
    );
  });
});

describe('isFaultFree', () => {
  it.each<[string, boolean]>([
    ['none', true],
    ['default', false],
    ['spike=0.5:0', true],
    ['spike=0.5:10', false],
  ])('%s -> %s', (text, free) => {
    expect(isFaultFree(parseFaultSpec(text))).toBe(free);
  });
});
