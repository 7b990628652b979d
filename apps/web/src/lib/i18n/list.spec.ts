import { overwriteGetLocale, type Locale } from '../../paraglide/runtime.js';
import { listOf } from './list';

describe(listOf.name, () => {
  let locale: Locale = 'en';
  overwriteGetLocale(() => locale);

  it.each([
    ['en', ['Ada'], 'Ada'],
    ['en', ['Ada', 'Bo'], 'Ada and Bo'],
    ['en', ['Ada', 'Bo', 'Cy'], 'Ada, Bo, and Cy'],
    ['de', ['Ada', 'Bo', 'Cy'], 'Ada, Bo und Cy'],
  ] as const)('joins names the way %s does: %j', (language, names, expected) => {
    locale = language;
    expect(listOf(names)).toBe(expected);
  });
});
