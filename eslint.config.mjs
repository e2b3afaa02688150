// Lint: typescript-eslint's recommended rules with type information (floating promises), sorted
// imports, and the layering rules of the project: src/ never imports dev/, and only the handlers
// and the HTTP helpers themselves import the HTTP helpers. Formatting is Prettier's (.prettierrc.json).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', '.deploy/**', 'node_modules/**', 'test-results/**', 'bench-profiles/**', '.azurite/**', '.ci/**', '*.mjs', '*.mts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname } },
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts', 'functions/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/dev/**', '**/bench/**', '**/test/**'], message: 'The app never imports the development tools.' }] }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/handlers/**', 'src/http/**', 'src/routes.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/dev/**', '**/bench/**', '**/test/**'], message: 'The app never imports the development tools.' },
            { group: ['**/http/**', '../http', './http'], message: 'Only handlers translate to and from HTTP: throw a domain error from src/errors.ts instead.' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  prettier,
);
