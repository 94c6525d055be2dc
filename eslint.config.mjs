// Lint rules, including the whole dependency direction between the tiers of src/ (MAY_IMPORT), with no
// exceptions. Pure tiers (manifest < planning < config < release < web) do no I/O at all; databricks/ is
// the bottom I/O tier and imports nothing else of src/; azure/ and sources/ build on it, approvals/ and
// services/ on those, activities/ on all of that; triggers (functions/, cli/, doctor/) and orchestrations/
// sit on top, and orchestrations see only pure code and activities/contracts.ts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The folders of src/, each a tier. */
const FOLDERS = [
  'manifest',
  'planning',
  'config',
  'release',
  'web',
  'databricks',
  'azure',
  'sources',
  'approvals',
  'services',
  'activities',
  'orchestrations',
  'doctor',
  'functions',
  'cli',
];
const PURE = ['manifest', 'planning', 'config', 'release', 'web'];
/**
 * The dependency direction, whole: what each tier may import from the rest of src/. Anything not listed
 * is refused. Pure tiers are ordered manifest < planning < config < release < web; databricks/ is the
 * bottom I/O tier; triggers (functions/, cli/) sit on top; orchestrations see pure code and, of
 * activities/, only contracts.ts (the rules below add that).
 */
const MAY_IMPORT = {
  manifest: [],
  planning: ['manifest'],
  config: ['manifest', 'planning'],
  release: ['manifest', 'planning', 'config'],
  web: ['manifest', 'planning', 'config', 'release', 'approvals'],
  databricks: [],
  azure: ['manifest', 'planning', 'config', 'databricks'],
  sources: ['manifest', 'planning', 'config', 'databricks', 'azure'],
  approvals: ['manifest', 'planning', 'config', 'release', 'azure'],
  services: ['manifest', 'planning', 'config', 'release', 'databricks', 'azure', 'sources', 'approvals'],
  activities: [
    ...['manifest', 'planning', 'config', 'release'],
    ...['databricks', 'azure', 'sources', 'approvals', 'services'],
  ],
  orchestrations: ['manifest', 'planning', 'config', 'release', 'activities'],
  doctor: ['manifest', 'planning', 'config', 'databricks', 'azure', 'sources', 'approvals', 'services'],
  functions: FOLDERS.filter((f) => !['functions', 'orchestrations', 'cli'].includes(f)),
  cli: FOLDERS.filter((f) => !['cli', 'functions', 'orchestrations'].includes(f)),
};

/** approvals/ mixes pure rules (tokens, approvers, decision requests) with these stores. */
const APPROVAL_STORES = [
  '**/approvals/DecisionStore',
  '**/approvals/readStagePlan',
  '**/approvals/readStageCodeDiff',
  '**/approvals/readOrchestration',
];
/** Modules that reach the file system, other processes or the network. */
const NODE_IO = [
  'node:fs',
  'node:fs/*',
  'node:child_process',
  'node:net',
  'node:http',
  'node:http2',
  'node:https',
  'node:dns',
  'node:tls',
  'node:dgram',
  'fs',
  'fs/*',
  'child_process',
  'net',
  'http',
  'https',
];
/** Of activities/, triggers and orchestrations see only the names and payloads. */
const ONLY_CONTRACTS = {
  regex: String.raw`(^|/)activities/(?!contracts$)`,
  message: 'Of activities/, only activities/contracts.ts (names and payloads): no activity internals.',
};

const NO_TEST = {
  group: ['**/test/**'],
  message: 'src/ never imports test code (the emulator is test infrastructure).',
};
/** The official SDK is a devDependency: the contract suite (test/contract/) drives the emulator with it. */
const NO_SDK = {
  group: ['@databricks/*'],
  message: 'src/ never imports the Databricks SDK: it is the test contract; src/databricks/ is the client.',
};

/** The import rule of one tier: no test code, nothing MAY_IMPORT does not list, and `extra`. */
function tierRule(tier, ...extra) {
  const refused = FOLDERS.filter((f) => f !== tier && !MAY_IMPORT[tier].includes(f));
  const patterns = [NO_TEST, NO_SDK, ...extra];
  if (refused.length > 0) {
    patterns.push({
      group: refused.map((folder) => `**/${folder}/**`),
      message: `${tier}/ may import only ${MAY_IMPORT[tier].join(', ') || 'its own files'} of src/ (eslint.config.mjs MAY_IMPORT).`,
    });
  }
  return {
    'no-restricted-imports': 'off',
    '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
  };
}

/** Pure tiers do no I/O: no file system, processes, network, Azure SDK or Durable client. */
function pureRule(tier) {
  return tierRule(
    tier,
    {
      group: NODE_IO,
      message: `${tier}/ is pure: no file system, processes or network (I/O tiers do that).`,
    },
    {
      group: ['@azure/*', 'durable-functions'],
      message: `${tier}/ is pure: no Azure SDK or Durable client.`,
      // Pages build the HttpResponseInit the triggers return: the type only, never the runtime.
      ...(tier === 'web' ? { allowTypeImports: true } : {}),
    },
    ...(tier === 'web' ? [{ group: APPROVAL_STORES, message: 'web/ is pure: no approval stores.' }] : []),
  );
}

const RULES = {
  ...Object.fromEntries(PURE.map((tier) => [tier, pureRule(tier)])),
  ...Object.fromEntries(FOLDERS.filter((f) => !PURE.includes(f)).map((tier) => [tier, tierRule(tier)])),
  functions: tierRule('functions', ONLY_CONTRACTS),
  orchestrations: tierRule('orchestrations', ONLY_CONTRACTS, {
    group: ['node:*', '@azure/*'],
    message: 'Orchestrations are deterministic: no I/O.',
  }),
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'artifacts/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The composition root (src/index.ts) registers every tier's functions.
  {
    files: ['src/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [NO_TEST, NO_SDK] }] },
  },
  ...FOLDERS.map((tier) => ({ files: [`src/${tier}/**`], rules: RULES[tier] })),
  {
    files: ['src/orchestrations/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'AwaitExpression', message: 'Orchestrations yield tasks; they never await.' },
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Orchestrations never read process.env.',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Use context.df.currentUtcDateTime.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'Use context.df.newGuid().',
        },
        { selector: "CallExpression[callee.name='fetch']", message: 'Orchestrations do no I/O.' },
      ],
    },
  },
  {
    files: ['test/tools/*.mjs', 'test/tools/*.cjs', 'eslint.config.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', require: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
