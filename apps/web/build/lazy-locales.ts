/**
 * Keeps the languages other than English out of the first download (40 KB budget). Paraglide
 * compiles one module per message with every language inline (`messages/<key>.js`: `en_<key>`,
 * `de_<key>`, and the exported `<key>` that picks one). The build replaces that exported function
 * with `localized("<key>", en_<key>)` from src/lib/i18n/locale.svelte.ts, so the bundler drops
 * the other languages' functions, and Paraglide's locale detection with them: the app picks the
 * language itself. `virtual:parley-messages` is every message module as compiled, fetched when
 * another language is picked. Without Vite (Jest, tsc) the compiled modules run unchanged.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';

const VIRTUAL = 'virtual:parley-messages';
/** Marks a message module that is loaded as compiled, for the catalog. */
const AS_COMPILED = '?as-compiled';

/** The message module with its export replaced, or an error when the compiled code is not of the expected shape. */
export function rewriteMessageModule(code: string, key: string, localeModule: string): string {
  const exported = new RegExp(`^export const ${key} = [\\s\\S]*$`, 'm');
  if (!code.includes(`const en_${key} = `) || !exported.test(code)) {
    throw new Error(`lazy-locales: messages/${key}.js is not shaped as expected (const en_${key}, then export const ${key})`);
  }
  return [
    `import { localized } from ${JSON.stringify(localeModule)};`,
    code.replace(exported, `export const ${key} = /* @__PURE__ */ localized(${JSON.stringify(key)}, en_${key});\n`),
  ].join('\n');
}

/** `outdir`: Paraglide's output; `localeModule`: the app's module that exports `localized`. */
export function lazyLocales(options: { outdir: string; localeModule: string }): Plugin {
  const messages = resolve(options.outdir, 'messages');
  const messageFile = /[\\/]paraglide[\\/]messages[\\/]([A-Za-z0-9_]+)\.js$/;
  return {
    name: 'parley-lazy-locales',
    enforce: 'pre',
    resolveId(id) {
      return id === VIRTUAL ? `\0${VIRTUAL}` : null;
    },
    load(id) {
      if (id !== `\0${VIRTUAL}`) return null;
      const keys = readdirSync(messages)
        .filter((name) => name.endsWith('.js') && name !== '_index.js')
        .map((name) => name.slice(0, -3));
      return keys.map((key) => `export { ${key} } from ${JSON.stringify(`${join(messages, key)}.js${AS_COMPILED}`)};`).join('\n');
    },
    transform(code, id) {
      const match = messageFile.exec(id);
      if (!match || match[1] === '_index') return null;
      return { code: rewriteMessageModule(code, match[1]!, options.localeModule), map: null };
    },
  };
}
