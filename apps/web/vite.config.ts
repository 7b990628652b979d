import { fileURLToPath } from 'node:url';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { bundleBudget } from './build/bundle-budget.ts';
import { i18nOptions } from './build/i18n-options.js';
import { lazyLocales } from './build/lazy-locales.ts';

const api = 'http://localhost:3000';

export default defineConfig({
  plugins: [
    paraglideVitePlugin(i18nOptions),
    lazyLocales({ outdir: i18nOptions.outdir, localeModule: fileURLToPath(new URL('src/lib/i18n/locale.svelte.ts', import.meta.url)) }),
    svelte(),
    bundleBudget(),
  ],
  resolve: {
    alias: {
      '@parley/protocol': fileURLToPath(new URL('../../libs/protocol/src/index.ts', import.meta.url)),
    },
  },
  server: {
    proxy: {
      '/ws': { target: api, ws: true },
      '/healthz': api,
      '/api': api,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every browser Parley supports (es2022) knows <link rel="modulepreload">: no polyfill in the first load.
    modulePreload: { polyfill: false },
  },
});
