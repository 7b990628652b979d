import type { ChatMessage } from '@parley/protocol';
import type { Redis } from 'ioredis';
import type { PeerRecord, ResumeRevocation, RoomMedia, RoomStore, WaiterRecord } from './room-store.js';
import type { SfuRoomAssignment } from './sfu/sfu.types.js';

// Capacity is checked and the peer added in one step, so concurrent joins on different
// instances admit exactly maxPeers.
const ADMIT = `
local room, index = KEYS[1], KEYS[2]
local id, record, max, entry = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
if redis.call('HEXISTS', room, id) == 0 and redis.call('HLEN', room) >= max then return 0 end
redis.call('HSET', room, id, record)
redis.call('SADD', index, entry)
return 1`;

// ARGV[4]: a resume token id the stored record must accept ('' for none).
const UPDATE = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
if ARGV[4] ~= '' then
  local current = cjson.decode(raw)
  if current.resumeId ~= ARGV[4] and current.previousResumeId ~= ARGV[4] then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
return 1`;

// KEYS: room hash, chat list, media state, lock. ARGV: peer id, the instance that must hold it ('' for any), key prefix, index entry.
const REMOVE = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local instance = cjson.decode(raw).instance
if ARGV[2] ~= '' and instance ~= ARGV[2] then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', ARGV[3] .. 'instance-peers:' .. instance, ARGV[4])
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[2], KEYS[3], KEYS[4]) end
return raw`;

// Drops the waits that are over, then adds unless \`max\` others wait. The key lives as long as its
// longest wait, so the records of a dead instance go too. ARGV: id, record, max, now, expiresAt.
const ADD_WAITER = `
local now = tonumber(ARGV[4])
for _, raw in ipairs(redis.call('HVALS', KEYS[1])) do
  local waiter = cjson.decode(raw)
  if waiter.expiresAt <= now then redis.call('HDEL', KEYS[1], waiter.id) end
end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[5]) - now
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`;

// HGET and HDEL in one step, so only one of two hosts gets the record.
const TAKE_WAITER = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw then redis.call('HDEL', KEYS[1], ARGV[1]) end
return raw`;

// SET NX with the value that holds returned: the first claim wins.
const CLAIM_MEDIA = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then return ARGV[1] end
return redis.call('GET', KEYS[1])`;

// Replaces the media state only while it still names VideoRoom ARGV[1]: one instance's move wins.
const MOVE_MEDIA = `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local current = cjson.decode(raw)
if type(current.sfu) ~= 'table' or current.sfu.janusRoom ~= ARGV[1] then return raw end
redis.call('SET', KEYS[1], ARGV[2])
return ARGV[2]`;

interface Scripts {
  admit(room: string, index: string, id: string, record: string, max: number, entry: string): Promise<number>;
  update(room: string, index: string, id: string, record: string, entry: string, resumeId: string): Promise<number>;
  removePeer(
    room: string,
    chat: string,
    media: string,
    lock: string,
    id: string,
    instance: string,
    prefix: string,
    entry: string,
  ): Promise<string | null>;
  addWaiter(key: string, id: string, record: string, max: number, now: number, expiresAt: number): Promise<number>;
  takeWaiter(key: string, id: string): Promise<string | null>;
  claimMedia(key: string, media: string): Promise<string>;
  moveMedia(key: string, fromRoom: string, media: string): Promise<string | null>;
}

/** Rooms in Redis, shared by every instance with the same key prefix. */
export class RedisRoomStore implements RoomStore {
  readonly #redis: Redis & Scripts;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('admit', { numberOfKeys: 2, lua: ADMIT });
    redis.defineCommand('update', { numberOfKeys: 2, lua: UPDATE });
    redis.defineCommand('removePeer', { numberOfKeys: 4, lua: REMOVE });
    redis.defineCommand('addWaiter', { numberOfKeys: 1, lua: ADD_WAITER });
    redis.defineCommand('takeWaiter', { numberOfKeys: 1, lua: TAKE_WAITER });
    redis.defineCommand('claimMedia', { numberOfKeys: 1, lua: CLAIM_MEDIA });
    redis.defineCommand('moveMedia', { numberOfKeys: 1, lua: MOVE_MEDIA });
    this.#redis = redis as Redis & Scripts;
  }

  async admit(record: PeerRecord, maxPeers: number): Promise<boolean> {
    const { room, peer, instance } = record;
    const admitted = await this.#redis.admit(
      this.#room(room),
      this.#index(instance),
      peer.id,
      JSON.stringify(record),
      maxPeers,
      entry(room, peer.id),
    );
    return admitted === 1;
  }

  async update(record: PeerRecord, resumeId = ''): Promise<boolean> {
    const { room, peer, instance } = record;
    const args = [peer.id, JSON.stringify(record), entry(room, peer.id), resumeId] as const;
    return (await this.#redis.update(this.#room(room), this.#index(instance), ...args)) === 1;
  }

  async revokeResume(peerId: string, ttlMs: number, why: ResumeRevocation = 'left'): Promise<void> {
    await this.#redis.set(this.#key(`revoked:${peerId}`), why, 'PX', ttlMs);
  }

  async resumeRevocation(peerId: string): Promise<ResumeRevocation | undefined> {
    const why = await this.#redis.get(this.#key(`revoked:${peerId}`));
    // '1' is what instances before `why` existed wrote.
    return why === 'removed' ? 'removed' : why === null ? undefined : 'left';
  }

  async locked(room: string): Promise<boolean> {
    return (await this.#redis.exists(this.#lock(room))) === 1;
  }

  async setLocked(room: string, locked: boolean): Promise<void> {
    if (locked) await this.#redis.set(this.#lock(room), '1');
    else await this.#redis.del(this.#lock(room));
  }

  async addWaiter(record: WaiterRecord, max: number): Promise<boolean> {
    const added = await this.#redis.addWaiter(this.#waiting(record.room), record.id, JSON.stringify(record), max, Date.now(), record.expiresAt);
    return added === 1;
  }

  async takeWaiter(room: string, id: string): Promise<WaiterRecord | undefined> {
    const raw = await this.#redis.takeWaiter(this.#waiting(room), id);
    return raw ? (JSON.parse(raw) as WaiterRecord) : undefined;
  }

  async waiters(room: string): Promise<WaiterRecord[]> {
    const now = Date.now();
    return (await this.#redis.hvals(this.#waiting(room)))
      .map((raw) => JSON.parse(raw) as WaiterRecord)
      .filter((waiter) => waiter.expiresAt > now)
      .sort((a, b) => a.since - b.since);
  }

  async remove(room: string, peerId: string, instance = ''): Promise<PeerRecord | undefined> {
    const raw = await this.#redis.removePeer(
      this.#room(room),
      this.#chat(room),
      this.#media(room),
      this.#lock(room),
      peerId,
      instance,
      this.prefix,
      entry(room, peerId),
    );
    return raw ? (JSON.parse(raw) as PeerRecord) : undefined;
  }

  async get(room: string, peerId: string): Promise<PeerRecord | undefined> {
    const raw = await this.#redis.hget(this.#room(room), peerId);
    return raw ? (JSON.parse(raw) as PeerRecord) : undefined;
  }

  async members(room: string): Promise<PeerRecord[]> {
    const all = await this.#redis.hvals(this.#room(room));
    return all.map((raw) => JSON.parse(raw) as PeerRecord).sort((a, b) => a.joinedAt - b.joinedAt);
  }

  async roomMedia(room: string): Promise<RoomMedia | undefined> {
    const raw = await this.#redis.get(this.#media(room));
    return raw ? (JSON.parse(raw) as RoomMedia) : undefined;
  }

  async claimRoomMedia(room: string, media: RoomMedia): Promise<RoomMedia> {
    return JSON.parse(await this.#redis.claimMedia(this.#media(room), JSON.stringify(media))) as RoomMedia;
  }

  async moveRoomMedia(room: string, from: SfuRoomAssignment, media: RoomMedia): Promise<RoomMedia | undefined> {
    const raw = await this.#redis.moveMedia(this.#media(room), from.janusRoom, JSON.stringify(media));
    return raw ? (JSON.parse(raw) as RoomMedia) : undefined;
  }

  async pushChat(room: string, message: ChatMessage, keep: number): Promise<void> {
    await this.#redis.multi().rpush(this.#chat(room), JSON.stringify(message)).ltrim(this.#chat(room), -keep, -1).exec();
  }

  async chat(room: string): Promise<ChatMessage[]> {
    return (await this.#redis.lrange(this.#chat(room), 0, -1)).map((raw) => JSON.parse(raw) as ChatMessage);
  }

  async pushMissed(peerId: string, frame: string, keep: number, ttlMs: number): Promise<void> {
    const key = this.#missed(peerId);
    await this.#redis.multi().rpush(key, frame).ltrim(key, -keep, -1).pexpire(key, ttlMs).exec();
  }

  async takeMissed(peerId: string): Promise<string[]> {
    const key = this.#missed(peerId);
    const [[, frames]] = (await this.#redis.multi().lrange(key, 0, -1).del(key).exec()) as [[unknown, string[]], unknown];
    return frames;
  }

  async heartbeat(instance: string, ttlMs: number): Promise<boolean> {
    const [[, previous]] = (await this.#redis
      .multi()
      .set(this.#alive(instance), '1', 'PX', ttlMs, 'GET')
      .sadd(this.#key('instances'), instance)
      .exec()) as [[unknown, string | null], unknown];
    return previous !== null;
  }

  async isInstanceAlive(instance: string): Promise<boolean> {
    return (await this.#redis.exists(this.#alive(instance))) === 1;
  }

  async claimDeadInstances(claimant: string): Promise<string[]> {
    const instances = await this.#redis.smembers(this.#key('instances'));
    const dead: string[] = [];
    for (const instance of instances) {
      if (instance === claimant || (await this.#redis.exists(this.#alive(instance)))) continue;
      // One live instance cleans up after a dead one; the others see the claim and skip it.
      if (await this.#redis.set(this.#key(`reaping:${instance}`), claimant, 'PX', 60_000, 'NX')) dead.push(instance);
    }
    return dead;
  }

  async instancePeers(instance: string): Promise<PeerRecord[]> {
    // Read all at once: the commands of one turn share a write (auto-pipelining).
    const items = await this.#redis.smembers(this.#index(instance));
    const records = await Promise.all(items.map((item) => this.get(...(item.split('\n') as [string, string]))));
    // The index may still name a peer that moved to another instance by a resume.
    return records.filter((record): record is PeerRecord => record?.instance === instance);
  }

  async forgetInstance(instance: string): Promise<void> {
    await this.#redis
      .multi()
      .del(this.#index(instance), this.#key(`reaping:${instance}`))
      .srem(this.#key('instances'), instance)
      .exec();
  }

  #key(name: string): string {
    return `${this.prefix}${name}`;
  }
  #room(room: string): string {
    return this.#key(`room:${room}`);
  }
  #chat(room: string): string {
    return this.#key(`chat:${room}`);
  }
  #media(room: string): string {
    return this.#key(`media:${room}`);
  }
  #lock(room: string): string {
    return this.#key(`locked:${room}`);
  }
  #waiting(room: string): string {
    return this.#key(`waiting:${room}`);
  }
  #missed(peerId: string): string {
    return this.#key(`missed:${peerId}`);
  }
  #alive(instance: string): string {
    return this.#key(`alive:${instance}`);
  }
  #index(instance: string): string {
    return this.#key(`instance-peers:${instance}`);
  }
}

const entry = (room: string, peerId: string) => `${room}\n${peerId}`;
