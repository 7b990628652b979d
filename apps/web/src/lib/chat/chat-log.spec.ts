import type { ChatMessage } from '@parley/protocol';
import { cleanDraft, continues, formatTime, mergeMessages } from './chat-log';

const message = (id: string, at: number, from = 'a'): ChatMessage => ({ id, at, from, name: from.toUpperCase(), text: id });

describe('mergeMessages', () => {
  it('adds history once, however often it arrives', () => {
    const history = [message('1', 10), message('2', 20)];
    const log = mergeMessages([], history);
    expect(mergeMessages(log, history)).toBe(log);
    expect(mergeMessages(log, [...history, message('3', 30)]).map((m) => m.id)).toEqual(['1', '2', '3']);
  });

  it('puts history from a resume before what arrived meanwhile', () => {
    const log = [message('3', 30)];
    expect(mergeMessages(log, [message('1', 10), message('2', 20), message('3', 30)]).map((m) => m.id)).toEqual(['1', '2', '3']);
  });

  it('keeps the newest messages only', () => {
    const many = Array.from({ length: 10 }, (_, i) => message(String(i), i));
    expect(mergeMessages([], many, 3).map((m) => m.id)).toEqual(['7', '8', '9']);
  });

  it('drops duplicates within one batch', () => {
    expect(mergeMessages([], [message('1', 1), message('1', 1)])).toHaveLength(1);
  });
});

describe('cleanDraft', () => {
  it('trims and drops control characters but keeps newlines', () => {
    expect(cleanDraft('  hi\u0007 there\nfriend  ')).toBe('hi there\nfriend');
    expect(cleanDraft(' \n\t ')).toBeNull();
  });
});

describe('continues', () => {
  it('groups quick follow-ups from the same person', () => {
    expect(continues(message('1', 0), message('2', 60_000))).toBe(true);
    expect(continues(message('1', 0), message('2', 300_000))).toBe(false);
    expect(continues(message('1', 0, 'a'), message('2', 1, 'b'))).toBe(false);
    expect(continues(undefined, message('2', 1))).toBe(false);
  });
});

describe('formatTime', () => {
  it('shows the time, and the day for older messages', () => {
    const now = new Date(2026, 10, 26, 15, 0).getTime();
    expect(formatTime(new Date(2026, 10, 26, 14, 5).getTime(), now)).toMatch(/14.05|2.05/);
    expect(formatTime(new Date(2026, 10, 23, 14, 5).getTime(), now).length).toBeGreaterThan(5);
  });
});
