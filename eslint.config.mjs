// Lint rules, including the dependency direction between tiers.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const pureTiers = ['src/manifest/**', 'src/planning/**', 'src/config/**'];
const ioModules = [
  '**/databricks/**',
  '**/azure/**',
  '**/sources/**',
  '**/activities/*',
  '!**/activities/contracts*',
];

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
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/test/**', '../test/*'],
              message: 'src/ never imports test code (the emulator is test infrastructure).',
            },
          ],
        },
      ],
    },
  },
  {
    files: pureTiers,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/test/**'], message: 'src/ never imports test code.' },
            {
              group: ioModules,
              message: 'Pure tiers (manifest, planning, config) must not import I/O modules.',
            },
            { group: ['node:http', 'node:https', 'node:net', '@azure/*'], message: 'Pure tiers do no I/O.' },
          ],
        },
      ],
    },
  },
  {
    // The doctor is I/O that triggers (CLI, HTTP) call; it reuses azure/ and databricks/, never the reverse.
    files: ['src/doctor/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/test/**'], message: 'src/ never imports test code.' },
            {
              group: ['**/functions/**', '**/cli/**', '**/orchestrations/**', '**/activities/**'],
              message:
                'The doctor checks an installation; triggers and orchestrations call it, not the reverse.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/orchestrations/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/test/**'], message: 'src/ never imports test code.' },
            {
              group: ioModules,
              message: 'Orchestrations import only pure code and activities/contracts.ts.',
            },
            {
              group: [
                'node:*',
                '@azure/storage-blob',
                '@azure/identity',
                '@azure/arm-*',
                '@azure/keyvault-*',
              ],
              message: 'Orchestrations are deterministic: no I/O.',
            },
          ],
        },
      ],
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
