import type { ChatMessage } from '@parley/protocol';

/** How many messages the panel keeps; the server's history is shorter. */
export const CHAT_KEEP = 200;

/**
 * Adds messages to the log: history on join and on resume repeats what is already there, so
 * messages are matched by id, and the log stays in the server's order (`at`, then arrival).
 */
export function mergeMessages(log: readonly ChatMessage[], incoming: readonly ChatMessage[], keep = CHAT_KEEP): ChatMessage[] {
  const seen = new Set(log.map((m) => m.id));
  const fresh = incoming.filter((m) => !seen.has(m.id) && (seen.add(m.id), true));
  if (fresh.length === 0) return log as ChatMessage[];
  const merged = [...log, ...fresh];
  // A stable sort keeps arrival order between messages of the same millisecond.
  if (fresh.some((m, i) => m.at < (i === 0 ? (log.at(-1)?.at ?? -Infinity) : fresh[i - 1]!.at))) merged.sort((a, b) => a.at - b.at);
  return merged.slice(-keep);
}

/** Trims the draft like the server does; returns null when there is nothing to send. */
export function cleanDraft(text: string): string | null {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '').trim();
  return clean ? clean : null;
}

/** "14:05", or "Mon 14:05" for an older day, in the person's own locale. */
export function formatTime(at: number, now = Date.now()): string {
  const date = new Date(at);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return new Date(now).toDateString() === date.toDateString() ? time : `${date.toLocaleDateString([], { weekday: 'short' })} ${time}`;
}

/** Whether the next message is a follow-up from the same person, shown without repeating the name. */
export function continues(previous: ChatMessage | undefined, message: ChatMessage): boolean {
  return !!previous && previous.from === message.from && message.at - previous.at < 2 * 60_000;
}
