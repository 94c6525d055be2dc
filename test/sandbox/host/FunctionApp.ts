// Test infrastructure: the functions one app registered, and the Node worker's invocation pipeline for them.
// `invoke` follows the worker's InvocationHandler step by step (azure-functions-nodejs-worker,
// src/eventHandlers/InvocationHandler.ts): getInvocationModel -> getArguments -> preInvocation hooks ->
// invokeFunction -> postInvocation hooks -> getResponse. So @azure/functions itself turns our RPC-shaped
// binding data into HttpRequest / InvocationContext, and its return value into RPC typed data.
import { randomUUID } from 'node:crypto';
import type {
  CoreBinding,
  CoreFunctionCallback,
  CoreFunctionMetadata,
  CoreHookName,
  CoreInvocationContext,
  CoreLogCategory,
  CoreLogLevel,
  RpcInvocationResponse,
  RpcParameterBinding,
  RpcTypedData,
} from './CoreApiTypes';
import type { CapturedRegistration, FunctionsCoreShim } from './FunctionsCoreShim';

export type HttpAuthLevel = 'anonymous' | 'function' | 'admin';

export interface RegisteredFunction {
  readonly name: string;
  readonly metadata: CoreFunctionMetadata;
  readonly handler: CoreFunctionCallback;
  readonly trigger: CoreBinding;
  /** The trigger binding's type, e.g. `httpTrigger`, `orchestrationTrigger`, `activityTrigger`. */
  readonly triggerType: string;
  readonly extraInputs: readonly CoreBinding[];
  /** Present for HTTP triggers: the route defaults to the function name, as in the host. */
  readonly http?: {
    readonly route: string;
    readonly methods?: readonly string[];
    readonly authLevel: HttpAuthLevel;
  };
}

export interface InvocationInput {
  readonly triggerData: RpcTypedData | undefined;
  readonly triggerMetadata?: Record<string, RpcTypedData>;
  /** Supplies the value of an extra input binding (the durable client, for one). */
  readonly resolveInput?: (binding: CoreBinding) => RpcTypedData | undefined;
}

export type InvocationOutcome =
  | { readonly ok: true; readonly response: RpcInvocationResponse }
  | { readonly ok: false; readonly error: unknown };

export interface FunctionLogEntry {
  readonly functionName: string;
  readonly invocationId: string;
  readonly level: CoreLogLevel;
  readonly category: CoreLogCategory;
  readonly message: string;
}

export type FunctionLogListener = (entry: FunctionLogEntry) => void;

export class FunctionApp {
  private readonly byName = new Map<string, RegisteredFunction>();
  /** Shared by every hook of this app, as the worker's `appHookData`. */
  readonly appHookData: Record<string, unknown> = {};
  private logListener: FunctionLogListener = () => {};

  constructor(
    readonly entryModulePath: string,
    private readonly shim: FunctionsCoreShim,
    registrations: readonly CapturedRegistration[],
  ) {
    for (const registration of registrations) {
      const fn = describe(registration);
      this.byName.set(fn.name.toLowerCase(), fn);
    }
  }

  get functions(): readonly RegisteredFunction[] {
    return [...this.byName.values()];
  }

  /** Function names are case-insensitive in the host. */
  get(name: string): RegisteredFunction | undefined {
    return this.byName.get(name.toLowerCase());
  }

  ofTriggerType(triggerType: string): RegisteredFunction[] {
    return this.functions.filter((f) => f.triggerType.toLowerCase() === triggerType.toLowerCase());
  }

  /** Where the app's context.log output and @azure/functions' system logs go. */
  setLogListener(listener: FunctionLogListener): void {
    this.logListener = listener;
  }

  /** Runs the app's appStart / appTerminate hooks with the worker's context shape. */
  async runAppHooks(
    name: Extract<CoreHookName, 'appStart' | 'appTerminate'>,
    directory: string,
  ): Promise<void> {
    for (const hook of this.shim.hookCallbacks(name)) {
      await hook({ hookData: {}, appHookData: this.appHookData, functionAppDirectory: directory });
    }
  }

  async invoke(functionName: string, input: InvocationInput): Promise<InvocationOutcome> {
    const fn = this.get(functionName);
    if (!fn) throw new Error(`No function named "${functionName}" is registered`);
    const invocationId = randomUUID();
    const inputData: RpcParameterBinding[] = [];
    if (input.triggerData !== undefined) inputData.push({ name: fn.trigger.name, data: input.triggerData });
    for (const binding of fn.extraInputs) {
      const data = input.resolveInput?.(binding);
      if (data !== undefined) inputData.push({ name: binding.name, data });
    }
    const logListener = this.logListener;
    const coreCtx: CoreInvocationContext = {
      invocationId,
      request: { invocationId, functionId: fn.name, inputData, triggerMetadata: input.triggerMetadata ?? {} },
      metadata: fn.metadata,
      log(level, category, message) {
        logListener({ functionName: fn.name, invocationId, level, category, message });
      },
    };
    const model = this.shim.programmingModel.getInvocationModel(coreCtx);
    const args = await model.getArguments();
    const context = args.context;
    let inputs = args.inputs;
    const hookData: Record<string, unknown> = {};
    const pre = {
      hookData,
      appHookData: this.appHookData,
      invocationContext: context,
      functionCallback: fn.handler,
      inputs,
    };
    await this.runInvocationHooks('preInvocation', pre, coreCtx, 'preInvocationHooks');
    inputs = pre.inputs;
    const callback = pre.functionCallback;
    const post: Record<string, unknown> = {
      hookData,
      appHookData: this.appHookData,
      invocationContext: context,
      inputs,
      result: null,
      error: null,
    };
    coreCtx.state = 'invocation';
    let failed = false;
    try {
      post.result = await model.invokeFunction(context, inputs, callback);
    } catch (error) {
      failed = true;
      post.error = error;
    } finally {
      coreCtx.state = undefined;
    }
    await this.runInvocationHooks('postInvocation', post, coreCtx, 'postInvocationHooks');
    if (failed) return { ok: false, error: post.error };
    return { ok: true, response: await model.getResponse(context, post.result) };
  }

  private async runInvocationHooks(
    name: 'preInvocation' | 'postInvocation',
    hookContext: Record<string, unknown>,
    coreCtx: CoreInvocationContext,
    state: 'preInvocationHooks' | 'postInvocationHooks',
  ): Promise<void> {
    coreCtx.state = state;
    try {
      for (const hook of this.shim.hookCallbacks(name)) await hook(hookContext);
    } finally {
      coreCtx.state = undefined;
    }
  }
}

function describe(registration: CapturedRegistration): RegisteredFunction {
  const { metadata, handler } = registration;
  const bindings = Object.values(metadata.bindings);
  const trigger = bindings.find((b) => /trigger$/i.test(b.type));
  if (!trigger) throw new Error(`Function "${metadata.name}" has no trigger binding`);
  const extraInputs = Object.entries(metadata.bindings)
    .filter(([key, b]) => b !== trigger && key !== '$return' && b.direction === 'in')
    .map(([, b]) => b);
  const base = { name: metadata.name, metadata, handler, trigger, triggerType: trigger.type, extraInputs };
  if (trigger.type.toLowerCase() !== 'httptrigger') return base;
  const route = typeof trigger.route === 'string' && trigger.route !== '' ? trigger.route : metadata.name;
  const methods = Array.isArray(trigger.methods)
    ? trigger.methods.filter((m): m is string => typeof m === 'string').map((m) => m.toUpperCase())
    : undefined;
  const level = typeof trigger.authLevel === 'string' ? trigger.authLevel.toLowerCase() : 'function';
  // The host's default authLevel for HTTP triggers is "function".
  const authLevel: HttpAuthLevel = level === 'anonymous' || level === 'admin' ? level : 'function';
  return { ...base, http: { route, ...(methods ? { methods } : {}), authLevel } };
}
