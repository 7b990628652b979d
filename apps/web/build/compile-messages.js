/**
 * `npm run i18n`: compiles the message catalogs for the tools that do not run Vite (tsc,
 * svelte-check, Jest), when a catalog or the settings changed since the last compile.
 * `--force` compiles anyway.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '@inlang/paraglide-js';
import { i18nOptions } from './i18n-options.js';

const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -Infinity;
  }
};

const catalogs = join(i18nOptions.project, '../messages');
const sources = [join(i18nOptions.project, 'settings.json'), ...readdirSync(catalogs).map((name) => join(catalogs, name))];
const output = join(i18nOptions.outdir, 'messages.d.ts');

if (process.argv.includes('--force') || Math.max(...sources.map(mtime)) >= mtime(output)) {
  await compile(i18nOptions);
}
// The inlang SDK leaves handles open for half a minute after compiling; nothing else runs here.
process.exit(0);
