/**
 * How Paraglide compiles apps/web/messages/*.json into src/paraglide/ (one function per message,
 * so each chunk carries only the messages it uses). Shared by the Vite plugin and by
 * `npm run i18n`, which typecheck and the unit tests run first: the output is generated, not committed.
 */
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** @type {import('@inlang/paraglide-js').CompilerOptions} */
export const i18nOptions = {
  project: here('../project.inlang'),
  outdir: here('../src/paraglide'),
  // A choice made in the app wins; then the browser's languages; then English.
  strategy: ['localStorage', 'preferredLanguage', 'baseLocale'],
  localStorageKey: 'parley.locale',
  emitReadme: false,
  emitTsDeclarations: true,
};
