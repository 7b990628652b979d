/** A piece of a chat message: plain text, or a web address shown as a link. */
export type ChatSegment = { text: string } | { text: string; href: string };

/**
 * Where a web address may start: `http://` or `https://` after a space, a bracket or a quote (not in
 * the middle of a word, so `xhttp://` stays text). Other schemes (`javascript:`, `data:`) never match.
 */
const URL_START = /(^|[\s(<[{"'])(https?:\/\/)/gi;
/** Characters that end an address. */
const URL_END = /[\s<>"]/;
/** Punctuation that ends a sentence rather than the address: "see https://a.b/c." */
const TRAILING = /[.,;:!?'*]+$/;
const PAIRS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/**
 * Splits a message into text and http(s) links, for rendering as text nodes and `<a>` elements:
 * nothing in a message ever becomes markup. A closing bracket or sentence punctuation at the end
 * belongs to the text around the link, unless the address opened that bracket itself (Wikipedia's
 * `Foo_(bar)`).
 */
export function linkSegments(message: string): ChatSegment[] {
  const segments: ChatSegment[] = [];
  let done = 0;
  URL_START.lastIndex = 0;
  for (let match = URL_START.exec(message); match; match = URL_START.exec(message)) {
    const start = match.index + match[1]!.length;
    if (start < done) continue;
    let end = start + match[2]!.length;
    while (end < message.length && !URL_END.test(message[end]!)) end++;
    const href = trimEnd(message.slice(start, end));
    // The host comes right after `//`: the URL parser would also take `https:///path` as `https://path/`.
    if (href.length <= match[2]!.length || href[match[2]!.length] === '/' || !isWebAddress(href)) continue;
    if (start > done) segments.push({ text: message.slice(done, start) });
    segments.push({ text: href, href });
    done = start + href.length;
    URL_START.lastIndex = done;
  }
  if (done < message.length) segments.push({ text: message.slice(done) });
  return segments;
}

function trimEnd(candidate: string): string {
  let url = candidate;
  for (;;) {
    const before = url;
    url = url.replace(TRAILING, '');
    const last = url.at(-1);
    const open = last && PAIRS[last];
    if (open && count(url, open) < count(url, last)) url = url.slice(0, -1);
    if (url === before) return url;
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** Whether the browser reads it as an http(s) address with a host: the last word on what becomes a link. */
function isWebAddress(href: string): boolean {
  try {
    const url = new URL(href);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
