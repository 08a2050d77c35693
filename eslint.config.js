// One lint config. Besides typescript-eslint's type-checked rules it enforces the direction of
// imports (house style §1): the pure core (flows, policy, recommend, drops, views, and the API's schemas in api) never imports an
// adapter, Node's built-ins or a library that touches the world.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const adapterFolders = ['store', 'sources', 'ingest', 'k8s', 'alerts', 'http', 'cli', 'config', 'web'];
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

/** Relative specifiers reaching src/<name> from any depth below src/ (src/x/, src/x/y/, src/x/y/z/). */
function reaching(name) {
  return ['../', '../../', '../../../'].map((up) => `${up}${name}`);
}

/** Runtime imports of the other adapters (and of the roots) from `folder` are errors. */
function adapterImportRule(folder, forbidden) {
  const allowed = folder === 'http' ? httpStoreImports.map((m) => `!${m}`) : [];
  return {
    files: [`src/${folder}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...forbidden.map((f) => `${f}/*`).flatMap(reaching),
                ...reaching('daemon*'),
                ...allowed,
              ],
              allowTypeImports: true,
              message: `An adapter (src/${folder}) does not import another adapter's code: share it through src/lib, or take it from the composition root.`,
            },
          ],
        },
      ],
    },
  };
}

/** The store modules http/ may import at runtime (see the adapter rule below). */
const httpStoreImports = [
  '../store/store-errors.js',
  '../store/read-only-edges.js',
  '../../store/store.js',
  '../../store/staged-store.js',
  '../../store/edge-json.js',
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
      'src/api/**/*.ts',
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
  // Adapters do not import each other; what they share lives in src/lib (issue 19). The imports
  // between adapter folders that remain, and why each is allowed:
  // - cli/ and daemon*.ts are the composition roots: they wire adapters together, so they are not
  //   covered here at all.
  // - Type-only imports are erased: an adapter may name the port it is handed by its root (FlowStore,
  //   AlertStore, StagedStore, SourceStatus, BatchStats, LimitsConfig, InventoryStatus).
  // - ingest/ is the orchestration from sources to the store (pipeline, batch writer, file ingest,
  //   the daemon's file source): it depends on both by design.
  // - http/ maps the store's error classes to HTTP errors and serves edges in the store's JSON shape
  //   (store-errors, store: InvalidCursorError, staged-store: StagedSetNotActiveError, edge-json);
  //   http/analysis-worker.ts is a worker thread's entry point, a root of its own that opens its
  //   read-only connection (read-only-edges).
  ...adapterFolders
    .filter((folder) => !['cli', 'ingest'].includes(folder))
    .map((folder) =>
      adapterImportRule(
        folder,
        adapterFolders.filter((f) => f !== folder),
      ),
    ),
  adapterImportRule(
    'ingest',
    adapterFolders.filter((f) => !['ingest', 'sources', 'store'].includes(f)),
  ),
  {
    // src/lib is below everything: it imports nothing of the project's and touches no I/O library.
    files: ['src/lib/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: worldPackages, message: 'src/lib is shared by the core: no I/O libraries here.' },
            { group: ['../*'], message: 'src/lib imports only src/lib.' },
          ],
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
