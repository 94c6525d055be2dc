// Lint rules, including the whole dependency direction between the tiers of src/, with no exceptions.
// From the bottom: pure tiers (manifest <- planning, config <- release <- web) do no I/O at all;
// databricks/ is the bottom I/O tier and imports nothing else of src/; azure/ and sources/ build on it;
// approvals/ and services/ on those; activities/ on all of that; triggers (functions/, cli/, doctor/)
// and orchestrations/ on top, where orchestrations see only pure code and activities/contracts.ts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** `**\/<folder>/**` for each folder: an import of that tier from anywhere (relative paths). */
const tiers = (...folders) => folders.map((folder) => `**/${folder}/**`);

/** Every I/O tier and trigger: what no pure tier may import. */
const IO_TIERS = [
  'databricks',
  'azure',
  'sources',
  'activities',
  'services',
  'functions',
  'orchestrations',
  'doctor',
  'cli',
];
/** approvals/ mixes pure rules (tokens, approvers, decision requests) with these stores. */
const APPROVAL_STORES = [
  '**/approvals/DecisionStore',
  '**/approvals/readStagePlan',
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

const NO_TEST = {
  group: ['**/test/**'],
  message: 'src/ never imports test code (the emulator is test infrastructure).',
};

/** The import rule for files of one tier: the test ban plus `patterns`. */
function restrict(...patterns) {
  return {
    'no-restricted-imports': 'off',
    '@typescript-eslint/no-restricted-imports': ['error', { patterns: [NO_TEST, ...patterns] }],
  };
}

/** What every pure tier bans, plus the tiers above it (`above`). */
function pure(name, above, { azureTypes = false } = {}) {
  return restrict(
    {
      group: [...tiers(...IO_TIERS), ...APPROVAL_STORES],
      message: `${name} is pure: it imports no I/O tier.`,
    },
    ...(above.length ? [{ group: tiers(...above), message: `${name} sits below ${above.join(', ')}.` }] : []),
    { group: NODE_IO, message: `${name} is pure: no file system, processes or network (I/O tiers do that).` },
    {
      group: ['@azure/*', 'durable-functions'],
      message: `${name} is pure: no Azure SDK or Durable client.`,
      ...(azureTypes ? { allowTypeImports: true } : {}),
    },
  );
}

const ABOVE_IO = (...extra) => ({
  group: tiers(...extra),
  message: 'An I/O tier never imports the tiers built on it.',
});

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
  { files: ['src/**/*.ts'], rules: restrict() },
  {
    files: ['src/manifest/**'],
    rules: pure('manifest/', ['planning', 'config', 'release', 'web', 'approvals']),
  },
  { files: ['src/planning/**'], rules: pure('planning/', ['config', 'release', 'web', 'approvals']) },
  {
    files: ['src/config/**'],
    rules: pure('config/', ['manifest', 'planning', 'release', 'web', 'approvals']),
  },
  { files: ['src/release/**'], rules: pure('release/', ['web', 'approvals']) },
  // Pages build the HttpResponseInit the triggers return: the type only, never the runtime.
  { files: ['src/web/**'], rules: pure('web/', [], { azureTypes: true }) },
  {
    files: ['src/databricks/**'],
    rules: restrict({
      group: ['../*', '../**'],
      message: 'databricks/ is the bottom I/O tier: a REST client that imports nothing else of src/.',
    }),
  },
  {
    files: ['src/azure/**'],
    rules: restrict(
      ABOVE_IO(
        'approvals',
        'sources',
        'activities',
        'services',
        'functions',
        'orchestrations',
        'doctor',
        'cli',
      ),
      ABOVE_IO('release', 'web'),
    ),
  },
  {
    files: ['src/sources/**'],
    rules: restrict(
      ABOVE_IO('approvals', 'activities', 'services', 'functions', 'orchestrations', 'doctor', 'cli'),
      ABOVE_IO('release', 'web'),
    ),
  },
  {
    files: ['src/approvals/**'],
    rules: restrict(
      ABOVE_IO(
        'databricks',
        'sources',
        'activities',
        'services',
        'functions',
        'orchestrations',
        'doctor',
        'cli',
      ),
      ABOVE_IO('web'),
    ),
  },
  {
    files: ['src/services/**'],
    rules: restrict(ABOVE_IO('activities', 'functions', 'orchestrations', 'doctor', 'cli', 'web')),
  },
  {
    files: ['src/activities/**'],
    rules: restrict(ABOVE_IO('functions', 'orchestrations', 'doctor', 'cli', 'web')),
  },
  {
    // Triggers start orchestrations by name and read what they publish; the work is the activities'.
    files: ['src/functions/**'],
    rules: restrict(
      {
        regex: String.raw`(^|/)activities/(?!contracts$)`,
        message: 'functions/ import no activity internals: only activities/contracts.ts (names, payloads).',
      },
      { group: tiers('orchestrations', 'cli'), message: 'functions/ start orchestrations by name only.' },
    ),
  },
  {
    // The doctor is I/O that triggers (CLI, HTTP) call; it reuses azure/ and databricks/, never the reverse.
    files: ['src/doctor/**'],
    rules: restrict({
      group: tiers('functions', 'cli', 'orchestrations', 'activities'),
      message: 'The doctor checks an installation; triggers and orchestrations call it, not the reverse.',
    }),
  },
  {
    files: ['src/orchestrations/**'],
    rules: {
      ...restrict(
        {
          group: [
            ...tiers(
              'databricks',
              'azure',
              'sources',
              'services',
              'functions',
              'doctor',
              'cli',
              'approvals',
              'web',
            ),
          ],
          message: 'Orchestrations import only pure code and activities/contracts.ts.',
        },
        {
          regex: String.raw`(^|/)activities/(?!contracts$)`,
          message: 'Orchestrations import only pure code and activities/contracts.ts.',
        },
        {
          group: ['node:*', '@azure/*'],
          message: 'Orchestrations are deterministic: no I/O.',
        },
      ),
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
