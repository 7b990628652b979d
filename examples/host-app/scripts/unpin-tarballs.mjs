// The example's lockfile pins every registry package (name, version, integrity), but not the
// content of Parley's own tarballs: they are rebuilt from this checkout by each `npm run
// test:example`, so their integrity would change with every edit of the library. `npm ci`
// accepts a file: tarball without one. Run by `npm run example:lock` after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
for (const [path, entry] of Object.entries(lock.packages)) {
  if (path.startsWith('node_modules/@parley/') && entry.resolved?.startsWith('file:vendor/')) delete entry.integrity;
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
