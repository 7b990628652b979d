// The thinnest relay of Parley's shape, to compare against: `join` gets a server-issued id,
// `signal` goes to a named peer of the same room with `from` set. No validation, no limits,
// no heartbeat. Usage: PORT=4000 node bench/bare-relay.js  (serves ws://127.0.0.1:PORT/ws)
//
// With BARE_RELAY_REDIS=<url>, BARE_RELAY_INSTANCE=<id> and BARE_RELAY_INSTANCES=<id,id,…>, it is
// one of several instances sharing rooms through Redis, as thinly: what crossing instances costs
// a relay that does nothing else. A peer id starts with its instance's id, so a signal needs no
// lookup; room lists are Redis hashes; a frame for another instance is one PUBLISH to that
// instance's channel, written as Parley writes its own (replies off, one write per turn).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 4000);
const rooms = new Map(); // room name -> Map<id, socket> (the sockets held here)
const bus = process.env.BARE_RELAY_REDIS ? await redisBus(process.env.BARE_RELAY_REDIS) : undefined;
const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws', maxPayload: 64 * 1024 });

const encode = (event, data) => JSON.stringify({ event, data });
const send = (socket, event, data) => socket.send(encode(event, data));

/** Sends a frame to the room's sockets here and, through the bus, to those on every other instance. */
function toRoom(roomName, frame, except) {
  for (const [id, peer] of rooms.get(roomName) ?? []) if (id !== except) peer.send(frame);
  bus?.toOthers(roomName, frame);
}

function leave(socket) {
  const room = rooms.get(socket.room);
  if (!room?.delete(socket.id)) return;
  if (room.size === 0) rooms.delete(socket.room);
  bus?.left(socket.room, socket.id);
  toRoom(socket.room, encode('peer-left', { id: socket.id, reason: 'left' }));
  socket.room = undefined;
}

async function join(socket, data) {
  socket.id = (bus?.instance ?? '') + randomBytes(12).toString('base64url');
  socket.room = String(data.room);
  const room = rooms.get(socket.room) ?? new Map();
  rooms.set(socket.room, room);
  const self = { id: socket.id, name: data.name };
  // In the room before anyone hears of it: a peer-joined from another instance meanwhile reaches it.
  room.set(socket.id, socket);
  const everyone = bus ? await bus.joined(socket.room, socket.id) : [...room.keys()];
  send(socket, 'joined', { self, room: socket.room, peers: everyone.filter((id) => id !== socket.id).map((id) => ({ id })) });
  toRoom(socket.room, encode('peer-joined', { peer: self }), socket.id);
}

wss.on('connection', (socket) => {
  socket.on('message', (raw) => {
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    const data = frame?.data;
    if (frame?.event === 'signal' && socket.room) {
      const target = rooms.get(socket.room).get(data.to);
      if (!target && !bus) return;
      const to = data.to;
      data.to = undefined; // dropped by JSON.stringify
      const out = JSON.stringify({ event: 'signal', data: { from: socket.id, ...data } });
      if (target) target.send(out);
      else bus?.toPeer(socket.room, String(to), out);
    } else if (frame?.event === 'join' && !socket.room) {
      join(socket, data);
    } else if (frame?.event === 'leave') {
      leave(socket);
    }
  });
  socket.on('close', () => leave(socket));
});

/**
 * The bus: `<room>\n<peer id, or nothing for the whole room>\n<frame>` published to an instance's
 * channel. Instance ids are one fixed length (`BARE_RELAY_INSTANCE`), so a peer id's first
 * characters name its instance.
 */
async function redisBus(url) {
  const instance = process.env.BARE_RELAY_INSTANCE;
  const others = process.env.BARE_RELAY_INSTANCES.split(',').filter((id) => id !== instance);
  const prefix = process.env.BARE_RELAY_PREFIX ?? 'bare:';
  const channel = (id) => `${prefix}bus:${id}`;
  const publisher = new Redis(url);
  const subscriber = new Redis(url);
  const store = new Redis(url);
  await subscriber.subscribe(channel(instance));
  subscriber.on('message', (_channel, message) => {
    const roomEnd = message.indexOf('\n');
    const toEnd = message.indexOf('\n', roomEnd + 1);
    const room = rooms.get(message.slice(0, roomEnd));
    const frame = message.slice(toEnd + 1);
    if (toEnd === roomEnd + 1) for (const peer of room?.values() ?? []) peer.send(frame);
    else room?.get(message.slice(roomEnd + 1, toEnd))?.send(frame);
  });
  // Written past ioredis, which would wait for the answer that this command turns off.
  await publisher.ping();
  publisher.stream.write('*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n');
  let outbox = '';
  const flush = () => {
    publisher.stream.write(outbox);
    outbox = '';
  };
  const publish = (to, message) => {
    const name = channel(to);
    if (!outbox) setImmediate(flush);
    outbox += `*3\r\n$7\r\nPUBLISH\r\n$${Buffer.byteLength(name)}\r\n${name}\r\n$${Buffer.byteLength(message)}\r\n${message}\r\n`;
  };
  const key = (room) => `${prefix}room:${room}`;
  return {
    instance,
    toPeer: (room, id, frame) => publish(id.slice(0, instance.length), `${room}\n${id}\n${frame}`),
    toOthers: (room, frame) => others.forEach((other) => publish(other, `${room}\n\n${frame}`)),
    // Written before it is read, so of two joining at once the later sees the earlier.
    joined: async (room, id) => (await store.multi().hset(key(room), id, instance).hkeys(key(room)).exec())[1][1],
    left: (room, id) => void store.hdel(key(room), id),
  };
}
