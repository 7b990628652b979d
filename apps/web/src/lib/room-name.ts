import { LIMITS } from '@parley/protocol';

export function isValidRoomName(name: string): boolean {
  return LIMITS.roomNamePattern.test(name);
}

/** Accepts a bare room name or a pasted invite link (`https://host/r/<room>`). */
export function parseRoomInput(input: string): string | null {
  const text = input.trim();
  const fromLink = /\/r\/([^/?#]+)/.exec(text)?.[1];
  let candidate = text;
  if (fromLink) {
    try {
      candidate = decodeURIComponent(fromLink);
    } catch {
      return null;
    }
  }
  return isValidRoomName(candidate) ? candidate : null;
}

export function roomPath(room: string): string {
  return `/r/${encodeURIComponent(room)}`;
}
