// Summarises a V8 .cpuprofile (from `node bench/run.js --cpu-prof`): self time per function and
// per package/file, heaviest first. Usage: node bench/profile-summary.js <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.js <file.cpuprofile> [top]');
  process.exit(1);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
// Percentages are of busy time: everything but (idle) and (program).
const IDLE = new Set(['(idle)', '(program)']);
for (const id of [...selfUs.keys()]) if (IDLE.has(byId.get(id).callFrame.functionName)) selfUs.delete(id);
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const CATEGORIES = [
  [
    'validation (class-validator, class-transformer, ValidationPipe)',
    /^(class-validator|class-transformer|validator)$|nestjs\/common:.*(validation|strip|closeArrayGaps|findNestedBinary)/,
  ],
  ['Nest + rxjs dispatch', /^(@nestjs\/[^ ]+|rxjs|reflect-metadata)$/],
  ['socket writes (writev, writeUtf8String: the syscalls)', /^(writev|writeUtf8String|writeLatin1String|writeBuffer) /],
  ['Redis client (ioredis)', /^ioredis$/],
  ['metrics (prom-client)', /^prom-client$/],
  ['garbage collector', /^\(garbage collector\)/],
  ['ws library', /^ws$/],
  ['Parley code (libs/signaling)', /^libs\/signaling/],
  ['bare relay code', /^bench\//],
];
const where = (url) => {
  if (!url) return '(native)';
  // The innermost package: ws inside @nestjs/platform-ws is ws, not Nest.
  const m = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  return url.replace(/^file:\/\//, '').replace(/^.*?\/(apps|libs|bench)\//, '$1/');
};
const functions = new Map();
const places = new Map();
for (const [id, us] of selfUs) {
  const { callFrame: f } = byId.get(id);
  const place = where(f.url);
  const key = `${f.functionName || '(anonymous)'}  ${place}${f.url ? `:${f.lineNumber + 1}` : ''}`;
  functions.set(key, (functions.get(key) ?? 0) + us);
  places.set(place, (places.get(place) ?? 0) + us);
}
const categories = new Map();
for (const [key, us] of functions) {
  const [name, placeAt] = key.split('  ');
  const place = placeAt.replace(/:\d+$/, '');
  const hit = CATEGORIES.find(([, re]) => re.test(place) || re.test(`${name} `) || re.test(`${place}:${name}`));
  const label = hit ? hit[0] : place.startsWith('node:') || place === '(native)' ? 'node core + other native' : 'other';
  categories.set(label, (categories.get(label) ?? 0) + us);
}
const show = (title, map, limit = top) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit))
    console.log(`${((us / total) * 100).toFixed(1).padStart(6)}%  ${key}`);
};
console.log(`${file}: ${(total / 1000).toFixed(0)} ms busy (idle excluded); percentages are of busy time`);
show('by category', categories, Infinity);
show('self time by package / file', places);
show('self time by function', functions);
