// `node --import ./hide-janode.mjs …`: the process runs as after an `npm install` that left the
// optional dependency janode out (no compiler for its addon unix-dgram). Every import of janode is
// resolved by Node itself from a folder that has no node_modules, so it fails with Node's own
// ERR_MODULE_NOT_FOUND; every other import resolves as usual.
import { register } from 'node:module';

const hook = `
export async function resolve(specifier, context, next) {
  if (specifier === 'janode' || specifier.startsWith('janode/')) return next(specifier, { ...context, parentURL: 'file:///nonexistent/app.js' });
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
