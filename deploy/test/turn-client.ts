/**
 * A small STUN/TURN client over UDP (RFC 8489 / RFC 8656), just enough to test a coturn
 * configuration: Allocate with the long-term credential mechanism, CreatePermission, ChannelBind,
 * Refresh. Messages carry MESSAGE-INTEGRITY (HMAC-SHA1 under MD5(username:realm:password)) and
 * FINGERPRINT; the answers' integrity and fingerprint are checked too, so a test knows it talks to
 * a server that holds the same secret.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { crc32 } from 'node:zlib';

export const MAGIC_COOKIE = 0x2112a442;

export const Method = { Binding: 0x001, Allocate: 0x003, Refresh: 0x004, CreatePermission: 0x008, ChannelBind: 0x009 } as const;

export const Attr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedAddressFamily: 0x0017,
  RequestedTransport: 0x0019,
  XorMappedAddress: 0x0020,
  Software: 0x8022,
  Fingerprint: 0x8028,
} as const;

export type MessageClass = 'request' | 'indication' | 'success' | 'error';

export interface Address {
  family: 4 | 6;
  address: string;
  port: number;
}

export interface StunMessage {
  method: number;
  cls: MessageClass;
  transactionId: Buffer;
  /** Attributes in order (type, value without padding). */
  attributes: Array<{ type: number; value: Buffer }>;
  raw: Buffer;
}

const CLASS_BITS: Record<MessageClass, number> = { request: 0x000, indication: 0x010, success: 0x100, error: 0x110 };

function messageType(method: number, cls: MessageClass): number {
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | CLASS_BITS[cls];
}

function attribute(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(value.length, 2);
  const padding = Buffer.alloc((4 - (value.length % 4)) % 4);
  return Buffer.concat([header, value, padding]);
}

function ipBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  // Expand "::" and any embedded IPv4 tail ("::ffff:10.0.0.1").
  let text = address;
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const b = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - headParts.length - tailParts.length).fill('0');
  const groups = [...headParts, ...zeros, ...tailParts];
  if (groups.length !== 8) throw new Error(`bad IPv6 address ${address}`);
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** XOR-PEER-ADDRESS / XOR-MAPPED-ADDRESS value (RFC 8489 section 14.2). */
export function xorAddress(peer: { address: string; port: number }, transactionId: Buffer): Buffer {
  const ip = ipBytes(peer.address);
  const out = Buffer.alloc(4 + ip.length);
  out[1] = ip.length === 4 ? 0x01 : 0x02;
  out.writeUInt16BE(peer.port ^ (MAGIC_COOKIE >>> 16), 2);
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(mask, 4);
  for (let i = 0; i < ip.length; i++) out[4 + i] = ip[i] ^ mask[i];
  return out;
}

export function decodeXorAddress(value: Buffer, transactionId: Buffer): Address {
  const family = value[1] === 0x01 ? 4 : 6;
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(mask, 4);
  const ip = Buffer.from(value.subarray(4, family === 4 ? 8 : 20).map((b, i) => b ^ mask[i]));
  const address = family === 4 ? [...ip].join('.') : Array.from({ length: 8 }, (_, i) => ip.readUInt16BE(i * 2).toString(16)).join(':');
  return { family, address, port };
}

/** The long-term credential key: MD5(username ":" realm ":" password). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest();
}

/** Builds a message; with a key it appends MESSAGE-INTEGRITY, and always FINGERPRINT. */
export function encode(method: number, cls: MessageClass, transactionId: Buffer, attributes: Array<[number, Buffer]>, key?: Buffer): Buffer {
  let body = Buffer.concat(attributes.map(([type, value]) => attribute(type, value)));
  const header = (length: number) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(messageType(method, cls), 0);
    h.writeUInt16BE(length, 2);
    h.writeUInt32BE(MAGIC_COOKIE, 4);
    transactionId.copy(h, 8);
    return h;
  };
  if (key) {
    // The length covers MESSAGE-INTEGRITY itself (24 bytes) when the HMAC is computed.
    const hmac = createHmac('sha1', key)
      .update(Buffer.concat([header(body.length + 24), body]))
      .digest();
    body = Buffer.concat([body, attribute(Attr.MessageIntegrity, hmac)]);
  }
  const crc = (crc32(Buffer.concat([header(body.length + 8), body])) ^ 0x5354554e) >>> 0;
  const fingerprint = Buffer.alloc(4);
  fingerprint.writeUInt32BE(crc, 0);
  body = Buffer.concat([body, attribute(Attr.Fingerprint, fingerprint)]);
  return Buffer.concat([header(body.length), body]);
}

export function decode(raw: Buffer): StunMessage {
  if (raw.length < 20 || raw.readUInt32BE(4) !== MAGIC_COOKIE || (raw[0] & 0xc0) !== 0) {
    throw new Error('not a STUN message');
  }
  const type = raw.readUInt16BE(0);
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const clsBits = type & 0x0110;
  const cls = (Object.keys(CLASS_BITS) as MessageClass[]).find((c) => CLASS_BITS[c] === clsBits)!;
  const length = raw.readUInt16BE(2);
  if (raw.length !== 20 + length) throw new Error(`STUN length ${length} does not match datagram ${raw.length}`);
  const attributes: StunMessage['attributes'] = [];
  for (let offset = 20; offset + 4 <= raw.length;) {
    const attrType = raw.readUInt16BE(offset);
    const attrLength = raw.readUInt16BE(offset + 2);
    attributes.push({ type: attrType, value: raw.subarray(offset + 4, offset + 4 + attrLength) });
    offset += 4 + attrLength + ((4 - (attrLength % 4)) % 4);
  }
  return { method, cls, transactionId: raw.subarray(8, 20), attributes, raw };
}

export function attr(message: StunMessage, type: number): Buffer | undefined {
  return message.attributes.find((a) => a.type === type)?.value;
}

/** ERROR-CODE as a number (e.g. 401, 403) and its reason phrase. */
export function errorCode(message: StunMessage): { code: number; reason: string } | undefined {
  const value = attr(message, Attr.ErrorCode);
  if (!value) return undefined;
  return { code: (value[2] & 0x07) * 100 + value[3], reason: value.subarray(4).toString('utf8') };
}

function offsetOf(message: StunMessage, type: number): number | undefined {
  for (let offset = 20; offset + 4 <= message.raw.length;) {
    const attrType = message.raw.readUInt16BE(offset);
    const attrLength = message.raw.readUInt16BE(offset + 2);
    if (attrType === type) return offset;
    offset += 4 + attrLength + ((4 - (attrLength % 4)) % 4);
  }
  return undefined;
}

/** True when the message's FINGERPRINT is present and right. */
export function fingerprintValid(message: StunMessage): boolean {
  const at = offsetOf(message, Attr.Fingerprint);
  if (at === undefined) return false;
  const copy = Buffer.from(message.raw.subarray(0, at));
  copy.writeUInt16BE(at - 20 + 8, 2);
  return (crc32(copy) ^ 0x5354554e) >>> 0 === message.raw.readUInt32BE(at + 4);
}

/** True when the message's MESSAGE-INTEGRITY is present and matches `key`. */
export function integrityValid(message: StunMessage, key: Buffer): boolean {
  const at = offsetOf(message, Attr.MessageIntegrity);
  if (at === undefined) return false;
  const copy = Buffer.from(message.raw.subarray(0, at));
  copy.writeUInt16BE(at - 20 + 24, 2);
  return createHmac('sha1', key)
    .update(copy)
    .digest()
    .equals(message.raw.subarray(at + 4, at + 24));
}

export interface Credentials {
  username: string;
  password: string;
}

/**
 * One client "connection" (a UDP 5-tuple) to a TURN server, with at most one allocation.
 * Requests are retransmitted every 250 ms until an answer or `timeoutMs`.
 */
export class TurnClient {
  private readonly socket: Socket;
  private readonly pending = new Map<string, (message: StunMessage) => void>();
  realm?: string;
  nonce?: Buffer;
  private key?: Buffer;
  private username?: string;

  constructor(
    readonly server: { host: string; port: number },
    private readonly timeoutMs = 3000,
  ) {
    this.socket = createSocket(server.host.includes(':') ? 'udp6' : 'udp4');
    this.socket.on('message', (raw) => {
      let message: StunMessage;
      try {
        message = decode(raw);
      } catch {
        return; // channel data or garbage
      }
      this.pending.get(message.transactionId.toString('hex'))?.(message);
    });
    this.socket.on('error', () => undefined);
  }

  /** Sends one request and waits for its answer (success or error response). */
  async request(method: number, attributes: Array<[number, Buffer]>, key?: Buffer, transactionId = randomBytes(12)): Promise<StunMessage> {
    const raw = encode(method, 'request', transactionId, attributes, key);
    const id = transactionId.toString('hex');
    let retransmit: NodeJS.Timeout | undefined;
    let timeout: NodeJS.Timeout | undefined;
    try {
      return await new Promise<StunMessage>((resolve, reject) => {
        this.pending.set(id, resolve);
        const send = () => this.socket.send(raw, this.server.port, this.server.host);
        retransmit = setInterval(send, 250);
        timeout = setTimeout(
          () => reject(new Error(`no answer from ${this.server.host}:${this.server.port} within ${this.timeoutMs} ms`)),
          this.timeoutMs,
        );
        send();
      });
    } finally {
      this.pending.delete(id);
      clearInterval(retransmit);
      clearTimeout(timeout);
    }
  }

  /** The attributes every authenticated request carries, and the key to sign it with. */
  private auth(): { attributes: Array<[number, Buffer]>; key: Buffer } {
    if (!this.username || !this.key || !this.realm || !this.nonce) throw new Error('allocate first');
    return {
      attributes: [
        [Attr.Username, Buffer.from(this.username)],
        [Attr.Realm, Buffer.from(this.realm)],
        [Attr.Nonce, this.nonce],
      ],
      key: this.key,
    };
  }

  /**
   * Allocate with the long-term credential mechanism: an unauthenticated request first, which
   * must get 401 with REALM and NONCE (returned as `challenge`), then the signed one (`response`).
   */
  async allocate(credentials: Credentials, options: { family?: 4 | 6 } = {}): Promise<{ challenge: StunMessage; response: StunMessage }> {
    const base: Array<[number, Buffer]> = [[Attr.RequestedTransport, Buffer.from([17, 0, 0, 0])]];
    if (options.family === 6) base.push([Attr.RequestedAddressFamily, Buffer.from([0x02, 0, 0, 0])]);
    const challenge = await this.request(Method.Allocate, base);
    const realm = attr(challenge, Attr.Realm)?.toString('utf8');
    const nonce = attr(challenge, Attr.Nonce);
    if (challenge.cls !== 'error' || errorCode(challenge)?.code !== 401 || !realm || !nonce) {
      return { challenge, response: challenge };
    }
    this.realm = realm;
    this.nonce = Buffer.from(nonce);
    this.username = credentials.username;
    this.key = longTermKey(credentials.username, realm, credentials.password);
    const { attributes, key } = this.auth();
    let response = await this.request(Method.Allocate, [...base, ...attributes], key);
    if (errorCode(response)?.code === 438) {
      // Stale nonce: retry once with the new one.
      this.nonce = Buffer.from(attr(response, Attr.Nonce)!);
      const again = this.auth();
      response = await this.request(Method.Allocate, [...base, ...again.attributes], again.key);
    }
    return { challenge, response };
  }

  /** The key this client signs with (to check answers with integrityValid). */
  get signingKey(): Buffer | undefined {
    return this.key;
  }

  async createPermission(peer: string): Promise<StunMessage> {
    const { attributes, key } = this.auth();
    return this.requestWithPeer(Method.CreatePermission, peer, 0, attributes, key);
  }

  async channelBind(peer: string, port: number, channel = 0x4000): Promise<StunMessage> {
    const { attributes, key } = this.auth();
    const number = Buffer.alloc(4);
    number.writeUInt16BE(channel, 0);
    return this.requestWithPeer(Method.ChannelBind, peer, port, [[Attr.ChannelNumber, number], ...attributes], key);
  }

  /** Refresh with LIFETIME 0 releases the allocation. */
  async release(): Promise<StunMessage | undefined> {
    if (!this.key) return undefined;
    const { attributes, key } = this.auth();
    return this.request(Method.Refresh, [[Attr.Lifetime, Buffer.alloc(4)], ...attributes], key);
  }

  close(): void {
    this.socket.close();
  }

  // XOR-PEER-ADDRESS for IPv6 is masked with the transaction id, so the id is chosen here.
  private requestWithPeer(method: number, peer: string, port: number, attributes: Array<[number, Buffer]>, key: Buffer): Promise<StunMessage> {
    const transactionId = randomBytes(12);
    const peerAddress: [number, Buffer] = [Attr.XorPeerAddress, xorAddress({ address: peer, port }, transactionId)];
    return this.request(method, [peerAddress, ...attributes], key, transactionId);
  }
}
