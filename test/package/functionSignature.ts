// Test infrastructure: what the Functions host learns about one registered function (its trigger, and for
// HTTP the route, methods and auth level; the extra input bindings), independent of generated binding names,
// so registrations from two loads of the same app can be compared.
import type { CoreFunctionMetadata } from '../sandbox/host/CoreApiTypes';

export interface FunctionSignature {
  name: string;
  trigger: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
  path?: string;
  source?: string;
  /** A timer trigger's NCRONTAB schedule. */
  schedule?: string;
  extraInputs: string[];
}

export function functionSignature(metadata: CoreFunctionMetadata): FunctionSignature {
  const bindings = Object.values(metadata.bindings);
  const trigger = bindings.find((b) => /trigger$/i.test(b.type));
  if (!trigger) throw new Error(`${metadata.name} registered no trigger binding`);
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const signature: FunctionSignature = {
    name: metadata.name,
    trigger: trigger.type,
    extraInputs: bindings
      .filter((b) => b !== trigger && b.direction === 'in')
      .map((b) => b.type)
      .sort(),
  };
  const route = text(trigger.route);
  if (route !== undefined) signature.route = route;
  if (Array.isArray(trigger.methods)) signature.methods = trigger.methods.map(String);
  const authLevel = text(trigger.authLevel);
  if (authLevel !== undefined) signature.authLevel = authLevel;
  const path = text(trigger.path);
  if (path !== undefined) signature.path = path;
  const source = text(trigger.source);
  if (source !== undefined) signature.source = source;
  const schedule = text(trigger.schedule);
  if (schedule !== undefined) signature.schedule = schedule;
  return signature;
}
