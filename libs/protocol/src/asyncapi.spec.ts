import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CLIENT_EVENTS, CloseCode, ErrorCode, LIMITS, PROTOCOL_VERSION, REACTIONS, SERVER_EVENTS } from './protocol.js';

/**
 * docs/asyncapi.yaml describes protocol v1 for tools; this spec fails when it drifts from
 * libs/protocol (events, error codes, close codes, limits, version) or has a dangling $ref.
 */

// The parsed YAML: plain objects, arrays and scalars.
type Node = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const text = readFileSync(new URL('../../../docs/asyncapi.yaml', import.meta.url), 'utf8');
const doc: Node = parse(text);

/** The node a local `$ref` (`#/a/b~1c`) points at, or undefined. */
function resolvePointer(ref: string): Node {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<Node>((node, key) => (node !== null && typeof node === 'object' && Object.hasOwn(node, key) ? node[key] : undefined), doc);
}

/** Follows `$ref`s until a node that is not a reference. */
function deref(node: Node): Node {
  const seen = new Set<string>();
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    if (seen.has(node.$ref)) throw new Error(`$ref cycle at ${node.$ref}`);
    seen.add(node.$ref);
    node = resolvePointer(node.$ref);
  }
  return node;
}

/** Every `$ref` in the document, with the path where it sits. */
function allRefs(node: Node, path = '#'): { at: string; ref: string }[] {
  if (node === null || typeof node !== 'object') return [];
  const own = typeof node.$ref === 'string' ? [{ at: path, ref: node.$ref as string }] : [];
  return [...own, ...Object.entries(node).flatMap(([key, child]) => allRefs(child, `${path}/${key}`))];
}

const schema = (name: string): Node => deref(doc.components.schemas[name]);
/** A property of a schema, through any `$ref`s. */
/** Every client event's payload schema: each carries `ref` and refuses unknown fields. */
const CLIENT_PAYLOADS = [
  'JoinPayload',
  'SignalPayload',
  'MediaPayload',
  'ChatPayload',
  'LeavePayload',
  'SfuPublishPayload',
  'SfuAnswerPayload',
  'SfuCandidatePayload',
  'LockPayload',
  'PeerTargetPayload',
  'HandPayload',
  'ReactPayload',
  'RecordingPayload',
  'SfuViewPayload',
  'SfuIceRestartPayload',
  'PathPayload',
];

const prop = (schemaName: string, property: string): Node => deref(schema(schemaName).properties[property]);

/** The `event` names of the messages of every operation with `action`. */
function eventsOf(action: 'send' | 'receive'): string[] {
  return Object.values<Node>(doc.operations)
    .filter((operation) => operation.action === action)
    .flatMap((operation) => (operation.messages as Node[]).map((message) => deref(deref(message).payload).properties.event.const as string));
}

const sorted = <T>(values: Iterable<T>) => [...values].sort();

describe('docs/asyncapi.yaml', () => {
  it('is an AsyncAPI 3.0.0 document', () => {
    expect(doc.asyncapi).toBe('3.0.0');
  });

  describe('protocol version', () => {
    it('declares x-protocol-version equal to PROTOCOL_VERSION', () => {
      expect(doc.info['x-protocol-version']).toBe(PROTOCOL_VERSION);
    });

    it(`has info.version ${PROTOCOL_VERSION}.0.0`, () => {
      expect(doc.info.version).toBe(`${PROTOCOL_VERSION}.0.0`);
    });

    it('requires join.protocol to be the const PROTOCOL_VERSION', () => {
      expect(prop('JoinPayload', 'protocol').const).toBe(PROTOCOL_VERSION);
    });
  });

  describe('events', () => {
    it('has the client events of CLIENT_EVENTS as its receive operations, each once', () => {
      const events = eventsOf('receive');
      expect(sorted(events)).toEqual(sorted(CLIENT_EVENTS));
    });

    it('has the server events of SERVER_EVENTS as its send operations, each once', () => {
      const events = eventsOf('send');
      expect(sorted(events)).toEqual(sorted(SERVER_EVENTS));
    });

    it('lists on the channel exactly the messages its operations use', () => {
      const channel = doc.channels.signaling;
      const used = Object.values<Node>(doc.operations).flatMap((operation) => {
        expect(deref(operation.channel)).toBe(channel);
        return (operation.messages as Node[]).map((message) => message.$ref as string);
      });
      expect(new Set(used)).toEqual(new Set(Object.keys(channel.messages).map((key) => `#/channels/signaling/messages/${key}`)));
    });

    it('wraps every payload in the {event, data} envelope', () => {
      for (const message of Object.values<Node>(doc.components.messages)) {
        const payload = deref(message.payload);
        expect(payload.type).toBe('object');
        expect(payload.required).toContain('event');
        expect(Object.keys(payload.properties).sort()).toEqual(['data', 'event']);
      }
    });
  });

  it('lists exactly the REACTIONS', () => {
    expect(schema('Reaction').enum).toEqual([...REACTIONS]);
  });

  describe('error codes', () => {
    it('has ErrorPayload.code as an enum of exactly the ErrorCode values', () => {
      expect(sorted(prop('ErrorPayload', 'code').enum)).toEqual(sorted(Object.values(ErrorCode)));
    });
  });

  describe('close codes', () => {
    it('lists every CloseCode, by name, in info.x-close-codes and nothing else', () => {
      const listed = Object.fromEntries((doc.info['x-close-codes'] as Node[]).map(({ name, code }) => [name, code]));
      expect(listed).toEqual(CloseCode);
    });

    it.each(Object.entries(CloseCode))('mentions %s (%d) in info.description', (_, code) => {
      expect(doc.info.description).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
    });
  });

  describe('limits', () => {
    it('states LIMITS in info.x-limits', () => {
      expect(doc.info['x-limits']).toEqual({ ...LIMITS, roomNamePattern: LIMITS.roomNamePattern.source });
    });

    it('constrains the room name with LIMITS.roomNamePattern and maxRoomNameLength', () => {
      for (const room of [prop('JoinPayload', 'room'), prop('JoinedPayload', 'room')]) {
        expect(room.pattern).toBe(LIMITS.roomNamePattern.source);
        expect(room.maxLength).toBe(LIMITS.maxRoomNameLength);
      }
    });

    it('caps display names at LIMITS.maxNameLength', () => {
      expect(prop('JoinPayload', 'name').maxLength).toBe(LIMITS.maxNameLength);
      expect(prop('Peer', 'name').maxLength).toBe(LIMITS.maxNameLength);
      expect(prop('RoomLimits', 'maxNameLength').const).toBe(LIMITS.maxNameLength);
    });

    it('caps sdp at LIMITS.maxSdpLength and candidate at LIMITS.maxCandidateLength', () => {
      expect(prop('SessionDescription', 'sdp').maxLength).toBe(LIMITS.maxSdpLength);
      expect(prop('IceCandidate', 'candidate').maxLength).toBe(LIMITS.maxCandidateLength);
    });

    it('caps chat text at LIMITS.maxChatLength', () => {
      expect(prop('ChatPayload', 'text').maxLength).toBe(LIMITS.maxChatLength);
      expect(prop('ChatMessage', 'text').maxLength).toBe(LIMITS.maxChatLength);
      expect(prop('RoomLimits', 'maxChatLength').const).toBe(LIMITS.maxChatLength);
    });

    it('caps ref at LIMITS.maxRefLength in every client payload and in error', () => {
      for (const name of [...CLIENT_PAYLOADS, 'ErrorPayload']) {
        expect(prop(name, 'ref').maxLength).toBe(LIMITS.maxRefLength);
      }
    });

    it('caps sfu-view at LIMITS.maxSfuView videos', () => {
      expect(prop('SfuViewPayload', 'peers').maxItems).toBe(LIMITS.maxSfuView);
    });

    it('states LIMITS.maxFrameBytes in RoomLimits and LIMITS.chatHistory as the joined chat maxItems', () => {
      expect(prop('RoomLimits', 'maxFrameBytes').const).toBe(LIMITS.maxFrameBytes);
      expect(prop('JoinedPayload', 'chat').maxItems).toBe(LIMITS.chatHistory);
    });
  });

  describe('client payloads', () => {
    it.each([...CLIENT_PAYLOADS, 'SessionDescription', 'IceCandidate'])('%s rejects unknown fields (additionalProperties: false)', (name) => {
      expect(schema(name).additionalProperties).toBe(false);
    });
  });

  describe('$ref', () => {
    const refs = allRefs(doc);

    it('has references to check', () => {
      expect(refs.length).toBeGreaterThan(0);
    });

    it('resolves every $ref to an existing node', () => {
      const dangling = refs.filter(({ ref }) => resolvePointer(ref) === undefined);
      expect(dangling).toEqual([]);
    });
  });
});
