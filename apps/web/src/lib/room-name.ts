import { LIMITS } from '@parley/protocol';

const adjectives = [
  'brave', 'calm', 'clever', 'cosy', 'eager', 'gentle', 'happy', 'jolly', 'kind', 'lively',
  'lucky', 'merry', 'mighty', 'nimble', 'proud', 'quick', 'quiet', 'sunny', 'swift', 'witty',
];
const animals = [
  'otter', 'badger', 'heron', 'fox', 'lynx', 'panda', 'koala', 'falcon', 'beaver', 'marten',
  'puffin', 'gecko', 'walrus', 'bison', 'crane', 'dolphin', 'hare', 'owl', 'seal', 'wren',
];

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]!;

/** A readable random room name such as `brave-otter-42`. */
export function randomRoomName(random: () => number = Math.random): string {
  return `${pick(adjectives, random)}-${pick(animals, random)}-${10 + Math.floor(random() * 90)}`;
}

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
