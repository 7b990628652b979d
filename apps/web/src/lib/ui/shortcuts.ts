/** The call's keyboard shortcuts: single keys, as in most call apps, shown in each control's tooltip. */

export type ShortcutAction = 'mic' | 'camera' | 'chat' | 'people' | 'share';

export const SHORTCUTS: Record<ShortcutAction, string> = {
  mic: 'M',
  camera: 'V',
  chat: 'C',
  people: 'P',
  share: 'S',
};

/** What a key press means, or null: not while typing, and not with a modifier (those belong to the browser). */
export function shortcutFor(
  event: Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey' | 'repeat' | 'target' | 'isComposing'>,
): ShortcutAction | null {
  if (event.altKey || event.ctrlKey || event.metaKey || event.repeat || event.isComposing) return null;
  if (isTyping(event.target)) return null;
  const key = event.key.toUpperCase();
  for (const [action, shortcut] of Object.entries(SHORTCUTS) as [ShortcutAction, string][]) {
    if (shortcut === key) return action;
  }
  return null;
}

function isTyping(target: EventTarget | null): boolean {
  const element = target as { tagName?: string; isContentEditable?: boolean; type?: string } | null;
  if (!element?.tagName) return false;
  if (element.isContentEditable) return true;
  const tag = element.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  return tag === 'INPUT' && !['button', 'checkbox', 'radio', 'range', 'submit', 'reset'].includes(element.type ?? 'text');
}

/** "Mute microphone (M)". */
export function withShortcut(label: string, action: ShortcutAction): string {
  return `${label} (${SHORTCUTS[action]})`;
}
