/**
 * Bad frames from a Janus server: a table of what a broken or hostile server could send, played
 * by a stand-in WebSocket server that otherwise speaks just enough of the Janus API (create,
 * attach, keepalive). A real Janus never sends these, so this is the one place the adapter talks
 * to something else. Every frame must be logged and dropped, the process unharmed, the server
 * still considered live.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { JanusPool } from '../src/sfu/janus-pool.js';
import { RecordingLogger } from './janus-peers.js';

const SESSION = 1111;
const HANDLE = 2222;

// [what, the frame, whether the adapter logs it]: janode itself drops the three frames that name no
// handle of ours, quietly; everything else is Parley's to catch.
const BAD_FRAMES: [string, string | Buffer, boolean][] = [
  ['not JSON', 'not json {', true],
  ['JSON null', 'null', true],
  ['a number', '42', true],
  ['a list', '[]', true],
  ['a string', '"janus"', true],
  ['a binary frame', Buffer.from('{"janus":"ack"}'), true],
  ['no session, no transaction', '{"janus":"event"}', false],
  ['a session message with no kind', JSON.stringify({ session_id: SESSION }), false],
  ['an unknown kind for a handle', JSON.stringify({ janus: 'weird', session_id: SESSION, sender: HANDLE }), true],
  ['a trickle without a candidate', JSON.stringify({ janus: 'trickle', session_id: SESSION, sender: HANDLE }), true],
  ['an event without plugin data', JSON.stringify({ janus: 'event', session_id: SESSION, sender: HANDLE }), true],
  [
    'a publisher list that is not a list',
    JSON.stringify({
      janus: 'event',
      session_id: SESSION,
      sender: HANDLE,
      plugindata: { plugin: 'janus.plugin.videoroom', data: { videoroom: 'event', publishers: 'nope' } },
    }),
    true,
  ],
  [
    'a joined event with participants as an object',
    JSON.stringify({
      janus: 'event',
      session_id: SESSION,
      sender: HANDLE,
      plugindata: { plugin: 'janus.plugin.videoroom', data: { videoroom: 'participants', participants: {} } },
    }),
    true,
  ],
  [
    'a jsep that is a string',
    JSON.stringify({
      janus: 'event',
      session_id: SESSION,
      sender: HANDLE,
      jsep: 'v=0',
      plugindata: { plugin: 'janus.plugin.videoroom', data: { videoroom: 'updated', streams: [] } },
    }),
    true,
  ],
  [
    'an unknown VideoRoom event',
    JSON.stringify({
      janus: 'event',
      session_id: SESSION,
      sender: HANDLE,
      plugindata: { plugin: 'janus.plugin.videoroom', data: { videoroom: 'brand-new' } },
    }),
    true,
  ],
  ['a message for a handle that does not exist', JSON.stringify({ janus: 'webrtcup', session_id: SESSION, sender: 999 }), false],
];

/** Answers create, attach and keepalive like Janus; everything else is ignored. */
async function fakeJanus(): Promise<{ url: string; socket: Promise<WebSocket>; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'janus-protocol' });
  await once(server, 'listening');
  const socket = new Promise<WebSocket>((resolve) => {
    server.on('connection', (ws) => {
      resolve(ws);
      ws.on('message', (data) => {
        const request = JSON.parse(String(data)) as { janus: string; transaction: string };
        const reply = (body: object) => ws.send(JSON.stringify({ ...body, transaction: request.transaction }));
        if (request.janus === 'create') reply({ janus: 'success', data: { id: SESSION } });
        if (request.janus === 'attach') reply({ janus: 'success', session_id: SESSION, data: { id: HANDLE } });
        if (request.janus === 'keepalive') reply({ janus: 'ack', session_id: SESSION });
      });
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    socket,
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

describe(`${JanusPool.name} against bad frames`, () => {
  it.each(BAD_FRAMES)('drops %s, and the server stays live', async (_name, frame, logged) => {
    const janus = await fakeJanus();
    const logger = new RecordingLogger();
    const sut = new JanusPool({
      servers: [{ url: janus.url, apiSecret: 'secret-for-the-stand-in' }],
      logger,
      keepaliveIntervalMs: 100,
      keepaliveTimeoutMs: 400,
    });
    try {
      expect(await sut.start()).toBe(1);
      const ws = await janus.socket;
      const before = logger.lines.length;

      ws.send(frame);
      // Several keepalive rounds after the frame: still answered, so still live.
      await new Promise((resolve) => setTimeout(resolve, 600));

      expect(sut.liveServers()).toEqual([janus.url]);
      expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
      expect(logger.lines.slice(before).some((line) => line.level === 'warn')).toBe(logged);
    } finally {
      await sut.close();
      await janus.close();
    }
  });
});
