import { ErrorCode } from '@parley/protocol';
import { TestApp } from './test-app.js';

describe('display names', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await TestApp.start({ maxPeers: 50 });
  });

  afterAll(async () => {
    await sut.close();
  });

  // Each would show as an empty tile and an empty line in the participant list.
  const invisible: [string, string][] = [
    ['zero-width spaces', '\u200B\u200B\u200B'],
    ['a zero-width joiner and non-joiner', '\u200D\u200C'],
    ['a byte-order mark', '\uFEFF'],
    ['word joiners and invisible operators', '\u2060\u2062\u2064'],
    ['HANGUL FILLER (U+3164)', '\u3164'],
    ['Hangul choseong and jungseong fillers', '\u115F\u1160'],
    ['HALFWIDTH HANGUL FILLER', '\uFFA0\uFFA0'],
    ['BRAILLE PATTERN BLANK', '\u2800\u2800'],
    ['no-break, em and ideographic spaces', '\u00A0\u2003\u3000'],
    ['a combining mark alone', '\u0301'],
    ['a combining grapheme joiner and variation selectors', '\u034F\uFE0F\u{E0100}'],
    ['Unicode tag characters', '\u{E0041}\u{E0064}\u{E0061}'],
    ['a soft hyphen', '\u00AD'],
    ['the Mongolian vowel separator', '\u180E'],
    ['bidi marks around spaces', '\u200E \u200F'],
    ['a lone surrogate', '\uD800'],
    ['a private-use character', '\uE000'],
  ];

  it.each(invisible)('refuses a name of only %s with invalid-message', async (_, name) => {
    const client = await sut.client();
    client.send('join', { room: 'names', name, protocol: 1, ref: 'n' });
    const error = await client.next('error');
    expect(error).toMatchObject({ code: ErrorCode.InvalidMessage, event: 'join', ref: 'n' });
    expect(error.details?.map((d) => d.field)).toEqual(['name']);
  });

  const visible: [string, string, string][] = [
    ['a plain name', 'Ada', 'Ada'],
    ['a name with an accent as a combining mark', 'Zoe\u0308', 'Zoe\u0308'],
    ['a CJK name', '李雷', '李雷'],
    ['an emoji', '\u{1F98A}', '\u{1F98A}'],
    ['a digit between fillers', '\u3164 7 \u3164', '\u3164 7 \u3164'],
    ['a punctuation mark', '?', '?'],
  ];

  it.each(visible)('admits %s', async (_, name, shown) => {
    const client = await sut.client();
    const joined = await client.join('names-ok', name);
    expect(joined.self.name).toBe(shown);
  });
});
