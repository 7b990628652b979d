import { ErrorCode, LIMITS } from '@parley/protocol';
import type { ChatEventPayload, ChatMessage, ErrorPayload } from '@parley/protocol';
import { m } from '../../paraglide/messages.js';
import { cleanDraft, mergeMessages } from '../chat/chat-log';

/** A message on its way: shown dimmed until the server's copy (with the same `ref`) comes back. */
export interface PendingMessage {
  ref: string;
  text: string;
}

const NOTE_MS = 6000;

/** The room's chat: the log, the draft, messages in flight, and the unread count while closed. */
export class ChatState {
  messages = $state.raw<ChatMessage[]>([]);
  pending = $state.raw<PendingMessage[]>([]);
  draft = $state('');
  open = $state(false);
  unread = $state(0);
  note = $state<string | null>(null);

  readonly #send: (text: string, ref: string) => boolean;
  readonly #selfId: () => string | null;
  #serial = 0;
  #noteTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(send: (text: string, ref: string) => boolean, selfId: () => string | null) {
    this.#send = send;
    this.#selfId = selfId;
  }

  /** The history in `joined`, on a first join and on every resume. */
  history(messages: readonly ChatMessage[]): void {
    const before = new Set(this.messages.map((m) => m.id));
    this.messages = mergeMessages(this.messages, messages);
    if (!this.open) this.unread += messages.filter((m) => !before.has(m.id) && m.from !== this.#selfId()).length;
  }

  receive(message: ChatEventPayload): void {
    if (message.ref) this.pending = this.pending.filter((p) => p.ref !== message.ref);
    const { ref: _ref, ...stored } = message;
    const before = this.messages;
    this.messages = mergeMessages(this.messages, [stored]);
    if (this.messages !== before && !this.open && message.from !== this.#selfId()) this.unread++;
  }

  /** Sends the draft; `false` when there was nothing to send or it could not go out. */
  send(): boolean {
    const text = cleanDraft(this.draft);
    if (!text) return false;
    if (text.length > LIMITS.maxChatLength) {
      this.#note(m.chat_too_long({ max: LIMITS.maxChatLength }));
      return false;
    }
    const ref = `chat-${++this.#serial}`;
    if (!this.#send(text, ref)) {
      this.#note(m.chat_offline());
      return false;
    }
    this.pending = [...this.pending, { ref, text }];
    this.draft = '';
    return true;
  }

  /** An `error` about a chat message: a polite word, and the text back in the box. */
  rejected(error: ErrorPayload): void {
    const pending = this.pending.find((p) => p.ref === error.ref);
    this.pending = this.pending.filter((p) => p !== pending);
    if (pending) this.draft = this.draft.trim() ? `${this.draft}\n${pending.text}` : pending.text;
    this.#note(error.code === ErrorCode.RateLimited ? m.chat_rate_limited() : m.chat_not_sent({ message: error.message }));
  }

  setOpen(open: boolean): void {
    this.open = open;
    if (open) this.unread = 0;
  }

  destroy(): void {
    clearTimeout(this.#noteTimer);
  }

  #note(text: string): void {
    this.note = text;
    clearTimeout(this.#noteTimer);
    this.#noteTimer = setTimeout(() => (this.note = null), NOTE_MS);
  }
}
