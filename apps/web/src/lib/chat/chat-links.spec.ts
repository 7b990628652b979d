import { linkSegments } from './chat-links';

describe('linkSegments', () => {
  it('leaves a message without links as one text', () => {
    expect(linkSegments('Hello <b>all</b>')).toEqual([{ text: 'Hello <b>all</b>' }]);
    expect(linkSegments('')).toEqual([]);
  });

  it('finds http and https links between text', () => {
    expect(linkSegments('notes at https://example.org/notes?a=1&b=2#x and http://a.test too')).toEqual([
      { text: 'notes at ' },
      { text: 'https://example.org/notes?a=1&b=2#x', href: 'https://example.org/notes?a=1&b=2#x' },
      { text: ' and ' },
      { text: 'http://a.test', href: 'http://a.test' },
      { text: ' too' },
    ]);
    expect(linkSegments('HTTPS://EXAMPLE.ORG')).toEqual([{ text: 'HTTPS://EXAMPLE.ORG', href: 'HTTPS://EXAMPLE.ORG' }]);
  });

  it('keeps other schemes as text', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'ftp://example.org', 'mailto:a@b.c']) {
      expect(linkSegments(text)).toEqual([{ text }]);
    }
    expect(linkSegments('javascript:alert("https://x.test")')).toEqual([
      { text: 'javascript:alert("' },
      { text: 'https://x.test', href: 'https://x.test' },
      { text: '")' },
    ]);
  });

  it('needs the scheme at the start of a word and a host after it', () => {
    expect(linkSegments('xhttps://example.org')).toEqual([{ text: 'xhttps://example.org' }]);
    expect(linkSegments('see https:// later')).toEqual([{ text: 'see https:// later' }]);
    expect(linkSegments('https:///path')).toEqual([{ text: 'https:///path' }]);
  });

  it('leaves sentence punctuation and closing brackets outside the link', () => {
    expect(linkSegments('Look: https://example.org/a.')).toEqual([
      { text: 'Look: ' },
      { text: 'https://example.org/a', href: 'https://example.org/a' },
      { text: '.' },
    ]);
    expect(linkSegments('(see https://example.org/a), ok?!')).toEqual([
      { text: '(see ' },
      { text: 'https://example.org/a', href: 'https://example.org/a' },
      { text: '), ok?!' },
    ]);
    expect(linkSegments('"https://example.org"')).toEqual([
      { text: '"' },
      { text: 'https://example.org', href: 'https://example.org' },
      { text: '"' },
    ]);
    expect(linkSegments('https://en.wikipedia.org/wiki/Foo_(bar).')).toEqual([
      { text: 'https://en.wikipedia.org/wiki/Foo_(bar)', href: 'https://en.wikipedia.org/wiki/Foo_(bar)' },
      { text: '.' },
    ]);
  });

  it('ends a link at whitespace and angle brackets', () => {
    expect(linkSegments('<https://example.org>\nnext')).toEqual([
      { text: '<' },
      { text: 'https://example.org', href: 'https://example.org' },
      { text: '>\nnext' },
    ]);
  });

  it('keeps every character of the message, in order', () => {
    const text = 'a https://x.test/1, b (http://y.test) c https://z.test!';
    expect(
      linkSegments(text)
        .map((s) => s.text)
        .join(''),
    ).toBe(text);
  });
});
