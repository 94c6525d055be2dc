// Pure: a pretend `azd provision` of infra/, for tests: main.bicep's parameters resolved the way azd resolves
// them, then every module that main.bicep reaches evaluated (evaluateBicep), with the values Azure would give
// the resources (host names, endpoints). Nothing is deployed; what comes out is what infra would write.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { property, type BicepFile, type BicepModule, type BicepResource } from './BicepFile';
import { BicepEvaluationError, evaluateBicep, type BicepScope } from './evaluateBicep';

export interface AzdInputs {
  /** The azd environment (`.azure/<env>/.env`): what `${NAME}` in main.parameters.json becomes. */
  readonly environment: Readonly<Record<string, string>>;
  /** Answers to azd's prompts, by parameter name. A prompt with no answer here fails the deployment. */
  readonly prompts: Readonly<Record<string, unknown>>;
  /** What azd generates for a parameter with `@metadata({ azd: { type: 'generate' } })`. */
  readonly generate: (name: string, config: { length?: number }) => string;
  /** The app settings already on the site (set in the portal), which `list(.../config/appsettings)` returns. */
  readonly existingAppSettings?: Readonly<Record<string, string>>;
  readonly tenantId: string;
}

/** Where each main.bicep parameter's value came from. */
export type ParameterSource = 'parametersFile' | 'default' | 'generated' | 'prompted';

export interface DeployedResource {
  readonly file: string;
  readonly symbol: string;
  readonly type: string;
  readonly existing: boolean;
  readonly name: string;
  readonly id: string;
  /** The name of the resource `parent:` or `scope:` names, when it is one of this file's resources. */
  readonly parentName?: string;
  readonly scopeName?: string;
  /** What Azure gives a resource with a system-assigned identity (read only for those). */
  readonly identity: { readonly principalId: string; readonly tenantId: string };
  /** Evaluated on first read: the template's properties (new resources) over what Azure reports. */
  readonly properties: Record<string, unknown>;
}

export interface Deployment {
  readonly parameters: ReadonlyMap<string, { value: unknown; source: ParameterSource }>;
  /** The deployment of main.bicep, and through it of every module (one instance each, loops excluded). */
  readonly main: FileDeployment;
  /** Every resource declared by the files deployed (loops excluded), new and existing. */
  resources(): DeployedResource[];
}

interface Context {
  readonly files: ReadonlyMap<string, BicepFile>;
  readonly inputs: AzdInputs;
  readonly deployed: FileDeployment[];
}

/**
 * azd's rules (Azure/azure-dev cli/azd/pkg/infra/provisioning/bicep/bicep_provider.go, `loadParameters` and
 * `ensureParameters`): `${NAME}` in main.parameters.json takes the azd environment's value; a string that
 * comes out empty counts as not given (armParameterFileValue), unless the parameter has a non-empty default.
 * A parameter not given keeps its Bicep default; without one, a `generate` parameter gets a generated value
 * (saved in the environment's config and reused by later provisions), and any other is prompted for.
 */
export function deployInfra(
  files: ReadonlyMap<string, BicepFile>,
  parametersJson: string,
  inputs: AzdInputs,
): Deployment {
  const main = files.get('main.bicep');
  if (!main) throw new BicepEvaluationError('infra/main.bicep is missing');
  const fileParameters = (JSON.parse(parametersJson) as { parameters: Record<string, { value?: unknown }> })
    .parameters;
  const context: Context = { files, inputs, deployed: [] };
  const parameters = new Map<string, { value: unknown; source: ParameterSource }>();
  for (const param of main.params) {
    const given = fileParameters[param.name];
    const substituted = given && 'value' in given ? substitute(given.value, inputs.environment) : undefined;
    const defaultCode = param.defaultValue?.code;
    const emptyCounts = typeof substituted === 'string' && substituted === '';
    if (substituted !== undefined && !(emptyCounts && (defaultCode === undefined || defaultCode === "''"))) {
      parameters.set(param.name, { value: substituted, source: 'parametersFile' });
      continue;
    }
    if (param.defaultValue) continue; // evaluated by the file deployment, in its own scope
    const metadata = param.decorators.get('metadata');
    const azd = metadata
      ? (
          evaluateBicep(metadata.code, { lookup: unknownName }) as {
            azd?: { type?: string; config?: object };
          }
        ).azd
      : undefined;
    if (azd?.type === 'generate') {
      parameters.set(param.name, {
        value: inputs.generate(param.name, azd.config ?? {}),
        source: 'generated',
      });
    } else if (param.name in inputs.prompts) {
      parameters.set(param.name, { value: inputs.prompts[param.name], source: 'prompted' });
    } else {
      throw new BicepEvaluationError(`azd would prompt for ${param.name}, and the test gave no answer`);
    }
  }
  const given = new Map([...parameters].map(([name, { value }]) => [name, () => value]));
  const deployment = new FileDeployment(context, 'main.bicep', given);
  deployment.deployModules();
  for (const param of main.params.filter((p) => !parameters.has(p.name))) {
    parameters.set(param.name, { value: deployment.param(param.name), source: 'default' });
  }
  return {
    parameters,
    main: deployment,
    resources: () => context.deployed.flatMap((d) => d.resources()),
  };
}

/** `${NAME}` in every string of a parameters-file value, as azd's envsubst does (unset: empty). */
function substitute(value: unknown, environment: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string')
    return value.replace(/\$\{(\w+)\}/g, (_, name: string) => environment[name] ?? '');
  if (Array.isArray(value)) return value.map((v) => substitute(v, environment));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, environment)]));
  }
  return value;
}

function unknownName(name: string): never {
  throw new BicepEvaluationError(`${name} is not known here`);
}

export class FileDeployment {
  private readonly file: BicepFile;
  private readonly memo = new Map<string, unknown>();

  constructor(
    private readonly context: Context,
    readonly path: string,
    private readonly given: ReadonlyMap<string, () => unknown>,
  ) {
    const file = context.files.get(path);
    if (!file) throw new BicepEvaluationError(`infra/${path} is missing`);
    this.file = file;
    context.deployed.push(this);
  }

  param(name: string): unknown {
    return this.remember(`param ${name}`, () => {
      const param = this.file.params.find((p) => p.name === name);
      if (!param) throw new BicepEvaluationError(`${this.path} has no param ${name}`);
      const given = this.given.get(name);
      if (given) return given();
      if (!param.defaultValue) throw new BicepEvaluationError(`${this.path}: param ${name} is not given`);
      return this.evaluate(param.defaultValue.code);
    });
  }

  output(name: string): unknown {
    const value = this.file.outputValues.get(name);
    if (!value) throw new BicepEvaluationError(`${this.path} has no output ${name}`);
    return this.remember(`output ${name}`, () => this.evaluate(value.code));
  }

  /** The deployment of a module declared here (not a loop). */
  module(symbol: string): FileDeployment {
    return this.remember(`module ${symbol}`, () => {
      const module = this.file.modules.find((m) => m.symbol === symbol);
      if (!module) throw new BicepEvaluationError(`${this.path} has no module ${symbol}`);
      return this.deployModule(module);
    }) as FileDeployment;
  }

  resource(symbol: string): DeployedResource {
    return this.remember(`resource ${symbol}`, () => {
      const resource = this.file.resource(symbol);
      if (!resource) throw new BicepEvaluationError(`${this.path} has no resource ${symbol}`);
      return this.deployResource(resource);
    }) as DeployedResource;
  }

  /** Deploys every module declared here and, through them, theirs; module loops are left out. */
  deployModules(): void {
    for (const module of this.file.modules) {
      const loop = new RegExp(`^module\\s+${module.symbol}\\s+'[^']+'\\s*=\\s*\\[`, 'm').test(this.file.code);
      if (!loop) this.module(module.symbol).deployModules();
    }
  }

  resources(): DeployedResource[] {
    return this.file.resources.map((r) => this.resource(r.symbol));
  }

  evaluate(code: string): unknown {
    return evaluateBicep(code, this.scope);
  }

  private readonly scope: BicepScope = {
    lookup: (name) => {
      if (this.file.params.some((p) => p.name === name)) return this.param(name);
      const variable = this.file.vars.get(name);
      if (variable) return this.remember(`var ${name}`, () => this.evaluate(variable.code));
      if (this.file.resource(name)) return this.resource(name);
      if (this.file.modules.some((m) => m.symbol === name)) return { outputs: this.outputsOf(name) };
      return unknownName(`${this.path}: ${name}`);
    },
    call: (name, args) => this.call(name, args),
  };

  private outputsOf(symbol: string): Record<string, unknown> {
    const module = this.file.modules.find((m) => m.symbol === symbol);
    const target = module ? this.context.files.get(this.targetPath(module)) : undefined;
    const outputs: Record<string, unknown> = {};
    for (const name of target?.outputs ?? []) {
      Object.defineProperty(outputs, name, { enumerable: true, get: () => this.module(symbol).output(name) });
    }
    return outputs;
  }

  private deployModule(module: BicepModule): FileDeployment {
    const params = property(module.body, ['params']);
    const given = new Map<string, () => unknown>();
    const target = this.context.files.get(this.targetPath(module));
    for (const param of target?.params ?? []) {
      const expression = params && property(params, [param.name]);
      if (expression) given.set(param.name, () => this.evaluate(expression.code));
    }
    return new FileDeployment(this.context, this.targetPath(module), given);
  }

  private targetPath(module: BicepModule): string {
    return posix.normalize(posix.join(posix.dirname(this.path), module.path));
  }

  private deployResource(resource: BicepResource): DeployedResource {
    const nameCode = property(resource.body, ['name'])?.code;
    if (nameCode === undefined) throw new BicepEvaluationError(`${this.path} ${resource.symbol} has no name`);
    const name = this.evaluate(nameCode);
    if (typeof name !== 'string') throw new BicepEvaluationError(`${this.path} ${resource.symbol}: name`);
    const id = `/pretend/${resource.type}/${name}`;
    let properties: Record<string, unknown> | undefined;
    const read = (): Record<string, unknown> => {
      const declared = property(resource.body, ['properties']);
      properties ??= {
        ...reported(resource.type, name),
        ...(resource.existing || !declared ? {} : (this.evaluate(declared.code) as Record<string, unknown>)),
      };
      return properties;
    };
    const nameOf = (key: string): { [k: string]: string } => {
      const symbol = property(resource.body, [key])?.code;
      return symbol && this.file.resource(symbol) ? { [`${key}Name`]: this.resource(symbol).name } : {};
    };
    const deployed: DeployedResource = {
      ...nameOf('parent'),
      ...nameOf('scope'),
      file: this.path,
      symbol: resource.symbol,
      type: resource.type,
      existing: resource.existing,
      name,
      id,
      identity: { principalId: pretendGuid(id, 'principal'), tenantId: this.context.inputs.tenantId },
      get properties() {
        return read();
      },
    };
    return deployed;
  }

  private call(name: string, args: readonly unknown[]): { value: unknown } | undefined {
    const { tenantId } = this.context.inputs;
    const subscriptionId = this.context.inputs.environment.AZURE_SUBSCRIPTION_ID ?? '';
    switch (name) {
      case 'tenant':
        return { value: { tenantId } };
      case 'subscription':
        return { value: { id: `/subscriptions/${String(args[0] ?? subscriptionId)}`, subscriptionId } };
      case 'resourceGroup':
        return { value: { id: `/subscriptions/${subscriptionId}/resourceGroups/pretend`, name: 'pretend' } };
      // https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-functions-deployment#environment
      case 'environment':
        return { value: { authentication: { loginEndpoint: 'https://login.microsoftonline.com/' } } };
      case 'uniqueString':
        return { value: pretendHash(args).slice(0, 13) };
      case 'guid':
        return { value: pretendGuid(...args.map(String)) };
      case 'subscriptionResourceId':
        return { value: `/subscriptions/${subscriptionId}/providers/${args.map(String).join('/')}` };
      case 'list':
        if (String(args[0]).endsWith('/config/appsettings')) {
          return { value: { properties: { ...this.context.inputs.existingAppSettings } } };
        }
        return undefined;
      default:
        return undefined;
    }
  }

  private remember(key: string, compute: () => unknown): unknown {
    if (!this.memo.has(key)) this.memo.set(key, compute());
    return this.memo.get(key);
  }
}

/** What Azure reports for a resource of this type (read-only properties), as documented for each type. */
function reported(type: string, name: string): Record<string, unknown> {
  switch (type) {
    case 'Microsoft.Web/sites':
      return { defaultHostName: `${name}.azurewebsites.net` };
    case 'Microsoft.Storage/storageAccounts':
      return {
        primaryEndpoints: {
          blob: `https://${name}.blob.core.windows.net/`,
          queue: `https://${name}.queue.core.windows.net/`,
          table: `https://${name}.table.core.windows.net/`,
        },
      };
    case 'Microsoft.Insights/components':
      return {
        ConnectionString: `InstrumentationKey=${pretendGuid(name)};IngestionEndpoint=https://pretend/`,
      };
    case 'Microsoft.KeyVault/vaults':
      return { vaultUri: `https://${name}.vault.azure.net/` };
    default:
      return {};
  }
}

function pretendHash(parts: readonly unknown[]): string {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest();
  return [...digest].map((b) => 'abcdefghijklmnopqrstuvwxyz234567'[b % 32]).join('');
}

function pretendGuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
