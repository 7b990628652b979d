/**
 * Jest transform for runes modules (`*.svelte.ts`): strip the types with TypeScript, then let the
 * Svelte compiler turn `$state`/`$derived` into its runtime calls, as Vite does for the app. This
 * lets the state classes be unit-tested in Node like any other module.
 */
const ts = require('typescript');
const { compileModule } = require('svelte/compiler');

module.exports = {
  process(source, filename) {
    const js = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: false },
    }).outputText;
    const { js: out } = compileModule(js, { filename, generate: 'client', dev: false });
    return { code: out.code };
  },
};
