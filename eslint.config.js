// ESLint for the whole repository: typescript-eslint's recommended rules, Svelte's, and nothing
// that Prettier decides (eslint-config-prettier comes last and turns formatting rules off).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './apps/web/svelte.config.js';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      'apps/web/dist/',
      'bench/results/',
      'test-results/',
      'playwright-report/',
      'examples/host-app/vendor/',
      'apps/web/src/paraglide/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed names are deliberately unused (a required parameter, a skipped tuple slot).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // The SPA runs in the browser; e2e specs pass functions into pages (page.evaluate, init scripts).
    files: ['apps/web/src/**', 'e2e/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig },
    },
    // The state classes hold Sets and Maps in `$state.raw` and replace them whole on change, so
    // the UI updates once per change; SvelteSet/SvelteMap would make every element reactive.
    rules: { 'svelte/prefer-svelte-reactivity': 'off' },
  },
  {
    // CommonJS on purpose: Jest loads the transform with require().
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Playwright fixtures destructure `{}` when a hook needs only testInfo (its documented form).
    files: ['e2e/**'],
    rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] },
  },
  prettier,
);
