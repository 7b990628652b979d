import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { bundleBudget } from './build/bundle-budget.ts';

const api = 'http://localhost:3000';

export default defineConfig({
  plugins: [svelte(), bundleBudget()],
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
  },
});
