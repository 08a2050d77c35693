// One lint config. Besides typescript-eslint's type-checked rules it enforces the direction of
// imports (house style §1): the pure core (flows, policy, recommend, drops, views) never imports an
// adapter, Node's built-ins or a library that touches the world.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const adapterFolders = ['store', 'sources', 'k8s', 'alerts', 'http', 'cli', 'config', 'web'];
const worldPackages = [
  'node:*',
  'fs',
  'path',
  '/net',
  'http',
  'https',
  'child_process',
  'os',
  'crypto',
  'better-sqlite3',
  'express',
  'ws',
  'pino',
  '@grpc/*',
  '@kubernetes/*',
  'prom-client',
  'helmet',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/out/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    rules: { 'no-undef': 'off' },
  },
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', '*.mjs', 'bin/*.js', 'scripts/*.mjs', 'bench/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      // Off: its findings here are the deliberate early-exit idiom (`return next()`, `return
      // this.fail(path, msg)` where fail returns undefined as the parse result); a promise used as a
      // value is no-misused-promises' and no-floating-promises' business.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Off: @kubernetes/client-node's models are declared as classes but are plain data (only a
      // static attributeTypeMap); its own docs build requests from object literals.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  {
    files: [
      'src/net/**/*.ts',
      'src/staged/**/*.ts',
      'src/flows/**/*.ts',
      'src/policy/**/*.ts',
      'src/recommend/**/*.ts',
      'src/drops/**/*.ts',
      'src/doctor/**/*.ts',
      'src/views/**/*.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: worldPackages, message: 'The core is pure: no I/O libraries or Node built-ins here.' },
            {
              group: adapterFolders.map((f) => `../${f}/*`).concat(['../daemon*']),
              message: 'The core never imports an adapter.',
            },
          ],
        },
      ],
      // No module-level state in the core (issue 19): memos belong to a parser or engine instance
      // that each caller creates, so sources and tests never share them.
      'no-restricted-syntax': [
        'error',
        {
          selector: "Program > VariableDeclaration[kind='let']",
          message: 'Module-level mutable state in the core: keep it in an instance the caller creates.',
        },
        {
          selector:
            'Program > VariableDeclaration > VariableDeclarator:not([id.typeAnnotation.typeAnnotation.typeName.name=/^Readonly/]) > NewExpression[arguments.length=0][callee.name=/^(Map|Set|WeakMap|WeakSet)$/]',
          message: 'A module-level cache in the core: keep it in an instance the caller creates.',
        },
      ],
    },
  },
  {
    // Tests may assert presence with `!` (a wrong guess fails the test with a TypeError), and their
    // after-hooks guard values a failed before-hook left unset, which the types cannot say.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-dynamic-delete': 'off',
      '@typescript-eslint/no-unnecessary-type-parameters': 'off', // get<T>(): the caller names the body it expects
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
);
