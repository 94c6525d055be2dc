// Pure: the fault spec of the whole local world (`npm run sandbox -- --faults <spec> --seed <n>`).
//
// Syntax: comma-separated items, each a preset name or `key=value`, applied left to right, so
// `default,5xx=0.2` is the default preset with more 5xx. Keys:
//   5xx=P            P (0..1) of a 500 or 503 answered before the request has any effect
//   429=P            P of a 429 with Retry-After, before any effect
//   retry-after=S    the Retry-After (decimal seconds) of injected 429s and 503s (default 0.1)
//   reset-before=P   P of a connection destroyed before the request is applied
//   reset-after=P    P of a connection destroyed after the request is applied, before it is answered
//   lost=P           P that a write (POST/PUT/PATCH/DELETE) is applied and answered 504 Gateway Timeout:
//                    the front end gave up on the backend, which finished the write anyway (see below)
//   spike=P:MS       P of a latency spike of MS milliseconds before the request is handled
//   services=A+B     the services faulted (default all): databricks, arm, keyvault, token (the Entra
//                    authority), identity (the managed-identity endpoint), source (GitHub, codeload and
//                    Azure Repos archive downloads)
// Presets: `none` (no faults) and `default` (below). Rates are drawn once per request: their sum is at
// most 1.
//
// Why "lost" is a 504 after applying rather than a second kind of reset: reset-after already models the
// connection dying with the write applied. The other way a real answer is lost is a gateway that stops
// waiting while the service behind it completes: 504 Gateway Timeout, "the server, while acting as a gateway
// or proxy, did not receive a timely response from an upstream server" (RFC 9110 section 15.6.5). Every
// service here sits behind such a front end (ARM in front of resource providers, the workspace's proxy in
// front of the Databricks control plane), and their clients treat 504 as transient and retry it
// (@azure/core-rest-pipeline's exponential retry retries 5xx but 501 and 505; databricks-sdk-go's apierr
// maps 504 to DEADLINE_EXCEEDED). A client that retries a non-idempotent write blindly then makes a
// duplicate: the case idempotency tokens and read-before-retry exist for.

export const faultServices = ['databricks', 'arm', 'keyvault', 'token', 'identity', 'source'] as const;
export type FaultService = (typeof faultServices)[number];

export interface FaultSpec {
  rate5xx: number;
  rate429: number;
  retryAfterSeconds: number;
  resetBeforeRate: number;
  resetAfterRate: number;
  lostRate: number;
  spike: { rate: number; durationInMs: number };
  services: FaultService[];
}

export const noFaults: FaultSpec = {
  rate5xx: 0,
  rate429: 0,
  retryAfterSeconds: 0.1,
  resetBeforeRate: 0,
  resetAfterRate: 0,
  lostRate: 0,
  spike: { rate: 0, durationInMs: 0 },
  services: [...faultServices],
};

/**
 * The "bad day": 10% 5xx, 5% 429, 3% resets split before/after the effect, 2% lost write answers and
 * 3% latency spikes of 800 ms, in every service.
 */
export const defaultFaults: FaultSpec = {
  ...noFaults,
  rate5xx: 0.1,
  rate429: 0.05,
  resetBeforeRate: 0.015,
  resetAfterRate: 0.015,
  lostRate: 0.02,
  spike: { rate: 0.03, durationInMs: 800 },
};

const presets: Record<string, FaultSpec> = { none: noFaults, default: defaultFaults };

type RateKey = 'rate5xx' | 'rate429' | 'resetBeforeRate' | 'resetAfterRate' | 'lostRate';
const rateKeys: Record<string, RateKey> = {
  '5xx': 'rate5xx',
  '429': 'rate429',
  'reset-before': 'resetBeforeRate',
  'reset-after': 'resetAfterRate',
  lost: 'lostRate',
};
// Listed, not Object.keys(rateKeys): integer-like keys ('429') would come first.
const allKeys = ['5xx', '429', 'reset-before', 'reset-after', 'lost', 'retry-after', 'spike', 'services'];

/** Throws an Error that names the item at fault and what to write instead. */
export function parseFaultSpec(text: string): FaultSpec {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) {
    throw new Error(
      `fault spec is empty: give a preset (${Object.keys(presets).join(', ')}) or key=value items`,
    );
  }
  let spec: FaultSpec = { ...noFaults, spike: { ...noFaults.spike }, services: [...noFaults.services] };
  for (const item of items) {
    const preset = presets[item];
    if (preset) {
      spec = { ...preset, spike: { ...preset.spike }, services: [...preset.services] };
      continue;
    }
    const equals = item.indexOf('=');
    if (equals < 0) {
      throw new Error(
        `fault spec item "${item}" is neither a preset (${Object.keys(presets).join(', ')}) nor key=value`,
      );
    }
    const key = item.slice(0, equals).trim();
    const value = item.slice(equals + 1).trim();
    const rateKey = rateKeys[key];
    if (rateKey) spec[rateKey] = rate(key, value);
    else if (key === 'retry-after') spec.retryAfterSeconds = nonNegative(key, value, 'seconds', 60);
    else if (key === 'spike') spec.spike = spike(value);
    else if (key === 'services') spec.services = services(value);
    else throw new Error(`fault spec: unknown key "${key}"; the keys are ${allKeys.join(', ')}`);
  }
  const total = spec.rate5xx + spec.rate429 + spec.resetBeforeRate + spec.resetAfterRate + spec.lostRate;
  if (total > 1 + 1e-9) {
    throw new Error(
      `fault spec: 5xx + 429 + reset-before + reset-after + lost is ${round(total)}, more than 1 (one draw ` +
        'per request picks at most one fault); lower some of them',
    );
  }
  return spec;
}

/** The canonical text of a spec: parseFaultSpec(formatFaultSpec(spec)) equals spec. */
export function formatFaultSpec(spec: FaultSpec): string {
  const items = [
    `5xx=${round(spec.rate5xx)}`,
    `429=${round(spec.rate429)}`,
    `retry-after=${round(spec.retryAfterSeconds)}`,
    `reset-before=${round(spec.resetBeforeRate)}`,
    `reset-after=${round(spec.resetAfterRate)}`,
    `lost=${round(spec.lostRate)}`,
    `spike=${round(spec.spike.rate)}:${spec.spike.durationInMs}`,
    `services=${spec.services.join('+')}`,
  ];
  return items.join(',');
}

/** True when the spec injects nothing anywhere. */
export function isFaultFree(spec: FaultSpec): boolean {
  const { rate5xx, rate429, resetBeforeRate, resetAfterRate, lostRate, spike: s } = spec;
  return (
    spec.services.length === 0 ||
    rate5xx + rate429 + resetBeforeRate + resetAfterRate + lostRate + (s.durationInMs > 0 ? s.rate : 0) === 0
  );
}

function rate(key: string, value: string): number {
  const number = parseNumber(key, value, 'a rate in 0..1, e.g. 0.05');
  if (number < 0 || number > 1) {
    throw new Error(`fault spec: ${key}=${value} is out of range; a rate is in 0..1 (0.05 is 5%)`);
  }
  return number;
}

function nonNegative(key: string, value: string, unit: string, max: number): number {
  const number = parseNumber(key, value, `${unit} (a number from 0 to ${max})`);
  if (number < 0 || number > max) {
    throw new Error(`fault spec: ${key}=${value} is out of range; give ${unit} from 0 to ${max}`);
  }
  return number;
}

function spike(value: string): FaultSpec['spike'] {
  const [rateText, durationText, ...rest] = value.split(':');
  if (durationText === undefined || rest.length > 0) {
    throw new Error(
      `fault spec: spike=${value} needs a rate and a duration in milliseconds, e.g. spike=0.05:1500`,
    );
  }
  const durationInMs = nonNegative('spike duration', durationText, 'milliseconds', 60_000);
  if (!Number.isInteger(durationInMs)) {
    throw new Error(`fault spec: spike duration ${durationText} must be whole milliseconds`);
  }
  return { rate: rate('spike', rateText ?? ''), durationInMs };
}

function services(value: string): FaultService[] {
  const names = value
    .split('+')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) {
    throw new Error(`fault spec: services= needs service names joined by +: ${faultServices.join('+')}`);
  }
  for (const name of names) {
    if (!(faultServices as readonly string[]).includes(name)) {
      throw new Error(
        `fault spec: unknown service "${name}" in services=; the services are ${faultServices.join(', ')}`,
      );
    }
  }
  return faultServices.filter((service) => names.includes(service));
}

function parseNumber(key: string, value: string, expected: string): number {
  const number = value === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(number))
    throw new Error(`fault spec: ${key}=${value} is not a number; give ${expected}`);
  return number;
}

/** Up to 6 decimals, without float noise (0.1 + 0.2 prints as 0.3). */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
