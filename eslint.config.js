// ESLint flat config: typescript-eslint's recommended rules over every package and the tests.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/fixtures/golden/**', 'packages/**/fixtures/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
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
