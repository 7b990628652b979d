import { pickLocale } from './pick-locale';

describe(pickLocale.name, () => {
  it.each([
    ['a saved choice wins over the browser', 'en', ['de-DE'], 'en'],
    ['a saved German choice', 'de', ['en-US'], 'de'],
    ['the browser’s first language Parley speaks', null, ['fr-FR', 'de-AT', 'en'], 'de'],
    ['a language tag in capitals', null, ['DE'], 'de'],
    ['English when nothing matches', null, ['fr', 'ja-JP'], 'en'],
    ['English with no languages at all', null, [], 'en'],
    ['a saved value that is not a language Parley speaks', 'xx', ['de'], 'de'],
    ['a saved empty string', '', [], 'en'],
    ['a saved value that looks like a key of Object', '__proto__', [], 'en'],
    ['an empty browser tag', null, ['', '-', 'de'], 'de'],
  ])('%s', (_case, saved, preferred, expected) => {
    expect(pickLocale(saved, preferred)).toBe(expected);
  });
});
