// ESLint flat config: typescript-eslint's recommended rules over every package and the tests, and the
// package dependency rules of dependency-rules.js (docs/architecture.md, "Rules").
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const { ALLOWED_DEPENDENCIES, PACKAGES } = require('./dependency-rules');

/**
 * Product code of package `pkg` may import only the @samsa packages it is allowed, never tests/, and
 * never another package's files by a relative path (which would go through its src/).
 */
function dependencyRules(pkg) {
  const forbidden = PACKAGES.filter((p) => p !== pkg && !ALLOWED_DEPENDENCIES[pkg].includes(p));
  const patterns = [
    {
      group: ['**/tests/**', '**/tests'],
      message: 'Product code never imports test code (docs/architecture.md, "Rules").',
    },
    {
      group: ['**/src/**', '**/dist/**'],
      message: 'Import another package by its name (@samsa/<name>), never through its files.',
    },
  ];
  if (forbidden.length > 0) {
    patterns.push({
      group: forbidden.flatMap((p) => [`@samsa/${p}`, `@samsa/${p}/**`]),
      message: `@samsa/${pkg} may import only ${ALLOWED_DEPENDENCIES[pkg].map((p) => '@samsa/' + p).join(', ') || 'no @samsa package'} (dependency-rules.js).`,
    });
  }
  const byName = patterns.filter((p) => p.group[0] !== '**/src/**');
  return [
    {
      files: [`packages/${pkg}/src/**/*.ts`],
      ignores: ['**/*.test.ts', '**/testing/**'],
      rules: { 'no-restricted-imports': ['error', { patterns }] },
    },
    {
      // A package's build scripts read its own src/ by path; the rest of the rules hold.
      files: [`packages/${pkg}/scripts/**/*.ts`, `packages/${pkg}/scripts/**/*.mjs`],
      rules: { 'no-restricted-imports': ['error', { patterns: byName }] },
    },
  ];
}

module.exports = tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/fixtures/golden/**',
      'packages/**/fixtures/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  ...PACKAGES.flatMap(dependencyRules),
  {
    files: ['scripts/**/*.ts', 'scripts/**/*.js', 'scripts/**/*.mjs'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/tests/**'], message: 'Launchers and scripts never import test code.' }] },
      ],
    },
  },
  {
    // Package sources name their types: no `any` outside the generic codec (which walks schemas of
    // any shape) and the tests.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/protocol/src/codec/**', '**/*.test.ts', '**/testing/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
);
