// One lint config. Besides typescript-eslint's type-checked rules it enforces the direction of
// imports (house style §1): the pure core (flows, policy, recommend, drops) never imports an
// adapter, Node's built-ins or a library that touches the world.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const adapterFolders = ['store', 'sources', 'k8s', 'alerts', 'http', 'cli', 'config', 'web'];
const worldPackages = [
  'node:*', 'fs', 'path', '/net', 'http', 'https', 'child_process', 'os', 'crypto',
  'better-sqlite3', 'express', 'ws', 'pino', '@grpc/*', '@kubernetes/*', 'prom-client', 'helmet',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/out/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    rules: { 'no-undef': 'off' },
  },
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'bin/*.js', 'scripts/*.mjs', 'bench/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    files: ['src/net/**/*.ts', 'src/staged/**/*.ts', 'src/flows/**/*.ts', 'src/policy/**/*.ts', 'src/recommend/**/*.ts', 'src/drops/**/*.ts', 'src/doctor/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: worldPackages, message: 'The core is pure: no I/O libraries or Node built-ins here.' },
          { group: adapterFolders.map((f) => `../${f}/*`).concat(['../daemon*']), message: 'The core never imports an adapter.' },
        ],
      }],
      // No module-level state in the core (issue 19): memos belong to a parser or engine instance
      // that each caller creates, so sources and tests never share them.
      'no-restricted-syntax': ['error',
        { selector: "Program > VariableDeclaration[kind='let']", message: 'Module-level mutable state in the core: keep it in an instance the caller creates.' },
        { selector: "Program > VariableDeclaration > VariableDeclarator:not([id.typeAnnotation.typeAnnotation.typeName.name=/^Readonly/]) > NewExpression[arguments.length=0][callee.name=/^(Map|Set|WeakMap|WeakSet)$/]", message: 'A module-level cache in the core: keep it in an instance the caller creates.' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
);
