// One ESLint flat config for the whole workspace: TypeScript rules, Prettier compatibility, and the
// project graph enforced by @nx/enforce-module-boundaries (the arrows: README, "Architecture").
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * Which project tags may depend on which: apps → domain → destinations/core ← destinations/<provider>.
 * Apps register providers through destinations/catalog, the one place that knows every provider.
 */
export const depConstraints = [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: [
      'type:domain',
      'type:provider-core',
      'type:provider-catalog',
      'type:provider',
      'type:util',
    ],
  },
  {
    sourceTag: 'type:provider-catalog',
    onlyDependOnLibsWithTags: ['type:provider', 'type:provider-core', 'type:util'],
  },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:provider-core', 'type:util'] },
  {
    sourceTag: 'type:provider',
    onlyDependOnLibsWithTags: ['type:provider-core', 'type:provider-wire', 'type:util'],
  },
  // A platform's wire types and schemas (e.g. destinations/meta-wire): shared by its connector and its
  // emulator, so neither imports the other.
  { sourceTag: 'type:provider-wire', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:provider-core', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  {
    sourceTag: 'type:emulator',
    onlyDependOnLibsWithTags: ['type:emulator-kit', 'type:provider-wire', 'type:util'],
  },
  // apps/tiktok-emulator, apps/meta-emulator: fakes of the platforms, kept apart from the product's apps.
  {
    sourceTag: 'type:emulator-app',
    onlyDependOnLibsWithTags: ['type:emulator', 'type:emulator-kit', 'type:provider-wire', 'type:util'],
  },
  // libs/emulator-kit: what the emulators share (faults, HTTP, process bootstrap). A tag of its own, not
  // type:emulator: an emulator may not import another, and no product code (nor its tests) needs it.
  { sourceTag: 'type:emulator-kit', onlyDependOnLibsWithTags: ['type:util'] },
];

/** Test code may also start the TikTok emulator (a fake of an external system, never production code). */
const testDepConstraints = depConstraints.map((constraint) => ({
  ...constraint,
  onlyDependOnLibsWithTags: [...new Set([...constraint.onlyDependOnLibsWithTags, 'type:emulator'])],
}));

/** Benchmarks may also print their figures through the runner's contract (tools/bench, `@conduit/bench`). */
const benchDepConstraints = testDepConstraints.map((constraint) => ({
  ...constraint,
  onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'type:bench'],
}));

const boundaries = (constraints) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints: constraints },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules',
      '**/dist',
      '**/coverage',
      '**/data',
      '**/.nx',
      '**/tmp',
      '**/migrations/**',
      'tools/lint/__fixtures__/**',
      'apps/api/test/typed-client/schema.generated.ts',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(depConstraints),
      // Libraries are used through their public entry point only.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@conduit/*/src/*', '@conduit/*/src'],
              message: 'Import from the package entry point (e.g. @conduit/domain), not its src folder.',
            },
          ],
        },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(testDepConstraints) },
  },
  {
    files: ['**/bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(benchDepConstraints) },
  },
  {
    // Command-line entry points print to stdout by design.
    files: ['**/cli.ts', '**/openapi.ts', '**/*.bench.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  prettier,
);
