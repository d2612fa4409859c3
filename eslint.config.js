import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The core is rules and use cases: what it needs from outside it names as an interface, an adapter
// (src/adapters, src/stripe, src/db) provides it, and the composition root (src/bootstrap) joins them.
const INFRASTRUCTURE = ['argon2', 'ioredis', 'pg', '@electric-sql/pglite', 'fastify', 'stripe', '@paybridge/stripe-emulator'].map((name) => ({
  name,
  message: 'Infrastructure stays out of src/core: declare an interface there and implement it in src/adapters.',
}));
const DRIVER_CODES = 'Driver error codes and constraint names stay in src/db: repositories report a UniquenessViolation (src/core/uniqueness.ts).';
const CORE_BOUNDARIES = [
  { group: ['@fastify/*', '@paybridge/*'], message: 'Infrastructure stays out of src/core.' },
  { group: ['**/db/errors.js'], message: DRIVER_CODES },
  { group: ['**/db/client.js'], importNames: ['isUniqueViolation', 'isDatabaseUnavailable'], message: DRIVER_CODES },
  {
    group: ['**/adapters/**', '**/bootstrap/*', '**/faces/**', '**/http/*'],
    message: 'The core depends on nothing above it: adapters, the composition root, faces and HTTP import the core, not the reverse.',
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'packages/*/dist/', 'node_modules/', 'coverage/', 'migrations/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': 'error',
      'no-console': 'off',
    },
  },
  {
    // Type-aware rules for the bugs that cost money: a promise nobody awaits (a write that
    // silently fails, a payment answered before it is stored) or one passed where nothing waits.
    files: ['{src,test,bench,scripts}/**/*.ts', '{packages,clients}/*/{src,test}/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: INFRASTRUCTURE, patterns: CORE_BOUNDARIES }] },
  },
  {
    // Tables are the repositories' business; the domain's own types are defined in the core, not in db/schema.
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.repository.ts', 'src/core/transactable-systems/link-proof.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: INFRASTRUCTURE, patterns: [...CORE_BOUNDARIES, { group: ['**/db/schema.js'], message: 'Only repositories touch tables; domain types are defined in src/core.' }] },
      ],
    },
  },
);
