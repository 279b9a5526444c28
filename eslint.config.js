// Lint, including the layering rules of docs/ARCHITECTURE.md:
// shared/ is the core and imports none of the other layers, nor electron, DOM or React;
// the renderer sees only shared/ipc types and the preload API.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const forbidOutsideShared = ['**/cli/**', '**/server/**', '**/electron/**', '**/renderer/**', '**/bench/**', '**/test/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.scelle-test/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'shared/ is pure Node: no electron.' },
            { name: 'react', message: 'shared/ is pure Node: no React.' },
            { name: 'react-dom', message: 'shared/ is pure Node: no React.' },
            { name: 'zustand', message: 'shared/ is pure Node: no UI state.' },
          ],
          patterns: [
            { group: forbidOutsideShared, message: 'shared/ imports none of the other layers.' },
            { group: ['react-dom/*', 'electron/*'], message: 'shared/ is pure Node.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'sessionStorage'],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer reaches the main process only through the preload API.' }],
          patterns: [
            { group: ['node:*', 'fs', 'path', 'child_process', 'crypto', 'os', 'net', 'http', 'https'], message: 'No Node in the renderer.' },
            {
              group: ['**/shared/*', '!**/shared/ipc', '!**/shared/ipc/*', '**/cli/**', '**/server/**', '**/electron/**'],
              message: 'The renderer imports only shared/ipc (and its own modules).',
            },
          ],
        },
      ],
    },
  },
);
