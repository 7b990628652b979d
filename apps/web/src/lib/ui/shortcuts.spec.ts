import { shortcutFor, withShortcut } from './shortcuts';

const press = (key: string, fields: Record<string, unknown> = {}) =>
  ({ key, altKey: false, ctrlKey: false, metaKey: false, repeat: false, isComposing: false, target: null, ...fields }) as never;

describe('shortcutFor', () => {
  it('maps M and V, in either case', () => {
    expect(shortcutFor(press('m'))).toBe('mic');
    expect(shortcutFor(press('M'))).toBe('mic');
    expect(shortcutFor(press('v'))).toBe('camera');
    expect(shortcutFor(press('c'))).toBe('chat');
    expect(shortcutFor(press('x'))).toBeNull();
  });

  it('leaves typing, modifiers and key repeat alone', () => {
    expect(shortcutFor(press('m', { target: { tagName: 'TEXTAREA' } }))).toBeNull();
    expect(shortcutFor(press('m', { target: { tagName: 'INPUT', type: 'text' } }))).toBeNull();
    expect(shortcutFor(press('m', { target: { tagName: 'DIV', isContentEditable: true } }))).toBeNull();
    expect(shortcutFor(press('m', { target: { tagName: 'BUTTON' } }))).toBe('mic');
    expect(shortcutFor(press('m', { target: { tagName: 'INPUT', type: 'checkbox' } }))).toBe('mic');
    expect(shortcutFor(press('m', { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(press('v', { metaKey: true }))).toBeNull();
    expect(shortcutFor(press('m', { repeat: true }))).toBeNull();
  });

  it('puts the key in the tooltip', () => {
    expect(withShortcut('Mute microphone', 'mic')).toBe('Mute microphone (M)');
  });
});
