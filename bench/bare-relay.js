// The thinnest relay of Parley's shape, to compare against: `join` gets a server-issued id,
// `signal` goes to a named peer of the same room with `from` set. No validation, no limits,
// no heartbeat. Usage: PORT=4000 node bench/bare-relay.js  (serves ws://127.0.0.1:PORT/ws)
import { randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 4000);
const rooms = new Map(); // room name -> Map<id, socket>
const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws', maxPayload: 64 * 1024 });

const send = (socket, event, data) => socket.send(JSON.stringify({ event, data }));

function leave(socket) {
  const room = rooms.get(socket.room);
  if (!room?.delete(socket.id)) return;
  if (room.size === 0) rooms.delete(socket.room);
  for (const peer of room.values()) send(peer, 'peer-left', { id: socket.id, reason: 'left' });
  socket.room = undefined;
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
      if (!target) return;
      data.to = undefined; // dropped by JSON.stringify
      target.send(JSON.stringify({ event: 'signal', data: { from: socket.id, ...data } }));
    } else if (frame?.event === 'join' && !socket.room) {
      socket.id = randomBytes(12).toString('base64url');
      socket.room = String(data.room);
      const room = rooms.get(socket.room) ?? new Map();
      rooms.set(socket.room, room);
      const self = { id: socket.id, name: data.name };
      send(socket, 'joined', { self, room: socket.room, peers: [...room.keys()].map((id) => ({ id })) });
      for (const peer of room.values()) send(peer, 'peer-joined', { peer: self });
      room.set(socket.id, socket);
    } else if (frame?.event === 'leave') {
      leave(socket);
    }
  });
  socket.on('close', () => leave(socket));
});

wss.on('listening', () => console.log(`bare relay on ws://127.0.0.1:${port}/ws`));
process.on('SIGTERM', () => process.exit(0));
