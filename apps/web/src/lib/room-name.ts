import { LIMITS } from '@parley/protocol';

// 64 words each (6 bits a word), short and easy to say and spell.
const adjectives = [
  'brave',
  'calm',
  'clever',
  'cosy',
  'eager',
  'gentle',
  'happy',
  'jolly',
  'kind',
  'lively',
  'lucky',
  'merry',
  'mighty',
  'nimble',
  'proud',
  'quick',
  'quiet',
  'sunny',
  'swift',
  'witty',
  'bold',
  'bright',
  'brisk',
  'busy',
  'cheery',
  'crisp',
  'daring',
  'fair',
  'fancy',
  'fond',
  'frank',
  'fresh',
  'glad',
  'grand',
  'keen',
  'loyal',
  'mellow',
  'neat',
  'noble',
  'plucky',
  'polite',
  'rapid',
  'ready',
  'rosy',
  'sleek',
  'smart',
  'snug',
  'spry',
  'steady',
  'sturdy',
  'sweet',
  'tidy',
  'tough',
  'upbeat',
  'vivid',
  'warm',
  'wise',
  'zesty',
  'agile',
  'breezy',
  'chirpy',
  'dapper',
  'hearty',
  'jaunty',
];
const animals = [
  'otter',
  'badger',
  'heron',
  'fox',
  'lynx',
  'panda',
  'koala',
  'falcon',
  'beaver',
  'marten',
  'puffin',
  'gecko',
  'walrus',
  'bison',
  'crane',
  'hare',
  'owl',
  'seal',
  'wren',
  'robin',
  'finch',
  'eagle',
  'hawk',
  'raven',
  'swan',
  'goose',
  'duck',
  'moose',
  'elk',
  'deer',
  'llama',
  'camel',
  'zebra',
  'tiger',
  'lion',
  'bear',
  'wolf',
  'mole',
  'mouse',
  'vole',
  'shrew',
  'stoat',
  'newt',
  'frog',
  'toad',
  'trout',
  'salmon',
  'tuna',
  'squid',
  'crab',
  'oyster',
  'clam',
  'snail',
  'bee',
  'ant',
  'moth',
  'beetle',
  'lemur',
  'sloth',
  'yak',
  'ibex',
  'okapi',
  'tapir',
  'ferret',
];
const places = [
  'lake',
  'hill',
  'cove',
  'dune',
  'fjord',
  'bay',
  'brook',
  'cliff',
  'creek',
  'delta',
  'field',
  'forest',
  'glade',
  'glen',
  'grove',
  'harbor',
  'heath',
  'isle',
  'lagoon',
  'marsh',
  'meadow',
  'mesa',
  'moor',
  'oasis',
  'peak',
  'pond',
  'prairie',
  'reef',
  'ridge',
  'river',
  'shore',
  'spring',
  'stream',
  'summit',
  'valley',
  'vale',
  'woods',
  'canyon',
  'cave',
  'coast',
  'crest',
  'dale',
  'dell',
  'fen',
  'ford',
  'gulch',
  'haven',
  'knoll',
  'ledge',
  'loch',
  'park',
  'pass',
  'pier',
  'plain',
  'point',
  'port',
  'rapids',
  'sound',
  'strait',
  'tarn',
  'tide',
  'trail',
  'falls',
  'bluff',
];
// Crockford's base32, lower case: no i, l, o or u, so nothing reads as another character.
const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
const TAIL_LENGTH = 10;

/**
 * A random room name such as `brave-otter-lake-k7m3q-9x2pd`: three words (18 bits) and ten base32
 * characters (50 bits), 68 bits in all, from the browser's CSPRNG. A room is as private as its name
 * is hard to guess; at this size nobody finds one by trying names. 64 and 32 divide 256, so taking
 * the low bits of a byte picks each word and character evenly.
 */
export function randomRoomName(fill: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  const bytes = fill(new Uint8Array(3 + TAIL_LENGTH));
  const tail = Array.from(bytes.subarray(3), (byte) => BASE32[byte & 31]).join('');
  return [adjectives[bytes[0]! & 63], animals[bytes[1]! & 63], places[bytes[2]! & 63], tail.slice(0, 5), tail.slice(5)].join('-');
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
