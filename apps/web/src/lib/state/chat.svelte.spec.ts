import { ErrorCode } from '@parley/protocol';
import { ChatState } from './chat.svelte';

const message = (id: string, from: string, text = id) => ({ id, from, name: from, text, at: 1 });

function setup({ online = true } = {}) {
  const sent: { text: string; ref: string }[] = [];
  const sut = new ChatState(
    (text, ref) => online && sent.push({ text, ref }) > 0,
    () => 'me',
  );
  return { sut, sent };
}

describe(ChatState.name, () => {
  it('sends the draft, shows it as pending, and settles it when the server’s copy comes back', () => {
    const { sut, sent } = setup();
    sut.draft = '  hello  ';
    expect(sut.send()).toBe(true);
    expect(sent).toEqual([{ text: 'hello', ref: 'chat-1' }]);
    expect(sut.pending).toEqual([{ ref: 'chat-1', text: 'hello' }]);
    expect(sut.draft).toBe('');
    sut.receive({ ...message('m1', 'me', 'hello'), ref: 'chat-1' });
    expect(sut.pending).toEqual([]);
    expect(sut.messages.map((m) => m.id)).toEqual(['m1']);
  });

  it('keeps the text and says so when it cannot go out', () => {
    const { sut } = setup({ online: false });
    sut.draft = 'hello';
    expect(sut.send()).toBe(false);
    expect(sut.draft).toBe('hello');
    expect(sut.note).toMatch(/Not connected/);
    sut.destroy();
  });

  it('counts unread messages from others while closed, and none once opened', () => {
    const { sut } = setup();
    sut.history([message('m1', 'a'), message('m2', 'me')]);
    expect(sut.unread).toBe(1);
    sut.receive(message('m3', 'b'));
    sut.receive(message('m3', 'b'));
    expect(sut.unread).toBe(2);
    sut.setOpen(true);
    expect(sut.unread).toBe(0);
    sut.receive(message('m4', 'b'));
    expect(sut.unread).toBe(0);
  });

  it('a resume’s history adds only what is new', () => {
    const { sut } = setup();
    sut.history([message('m1', 'a')]);
    sut.history([message('m1', 'a'), message('m2', 'a')]);
    expect(sut.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(sut.unread).toBe(2);
  });

  it('puts a rejected message back in the box with the reason', () => {
    const { sut } = setup();
    sut.draft = 'too fast';
    sut.send();
    sut.draft = 'next';
    sut.rejected({ event: 'chat', code: ErrorCode.RateLimited, message: 'slow down', ref: 'chat-1' });
    expect(sut.pending).toEqual([]);
    expect(sut.draft).toBe('next\ntoo fast');
    expect(sut.note).not.toBeNull();
    sut.destroy();
  });
});
