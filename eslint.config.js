// Type-aware lint: floating promises and misused promises are errors, because an
// unawaited write in a sync run is a lost record.
import js from '@eslint/js';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'web/dist/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      // Imports in three groups: packages (node: built-ins first), our own modules, then `import type`.
      'simple-import-sort/imports': [
        'error',
        { groups: [['^\\u0000'], ['^node:', '^@?\\w'], ['^\\.'], ['^node:.*\\u0000$', '^@?\\w.*\\u0000$', '^\\..*\\u0000$']] },
      ],
      'simple-import-sort/exports': 'error',
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The API contracts are read by the web UI (type-only) and by the server: they may import zod,
    // each other and vocabulary modules that import nothing of the server, never server code.
    files: ['src/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!zod$|\\./|\\.\\./integrations/schema\\.ts$|\\.\\./sync/ports\\.ts$|\\.\\./db/types-alerts\\.ts$)',
              message: 'a contract imports only zod, other contracts and vocabulary modules (see src/contracts/route-contract.ts)',
            },
          ],
        },
      ],
    },
  },
  {
    // The run vocabulary and ports: the web UI bundles its constants, so it imports nothing.
    files: ['src/sync/ports.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '.*', message: 'src/sync/ports.ts imports nothing: the web UI bundles it' }] },
      ],
    },
  },
  {
    // The UI reads the server only through its contracts, and only their types, and the run
    // vocabulary (which imports nothing): nothing of the server may end up in the bundle.
    files: ['web/src/**/*.ts', 'web/src/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+src/(?!contracts/|sync/ports\\.ts$)',
              message: 'the UI reads the server only through src/contracts/ (import type) and the run vocabulary src/sync/ports.ts',
            },
            {
              regex: '^(\\.\\./)+src/contracts/',
              allowTypeImports: true,
              message: 'import type only: a value import would bundle server code into the UI',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read JSON answers whose shape is what they assert; typing every answer would add noise,
    // not safety. Promise rules stay on.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
