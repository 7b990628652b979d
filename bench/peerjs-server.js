// PeerJS's own signaling server (npm `peer`), as a second reference next to the bare relay: what a
// widely used, minimal WebRTC broker costs. Started in its own process like the other targets.
// Usage: PORT=4000 node bench/peerjs-server.js  (serves ws://127.0.0.1:PORT/peerjs?key=peerjs&id=…&token=…)
import { PeerServer } from 'peer';

const port = Number(process.env.PORT ?? 9000);
PeerServer(
  {
    host: '127.0.0.1',
    port,
    path: '/',
    // Its default caps the server at 5,000 clients, which the idle phase (5,000 + warm-up) passes.
    concurrent_limit: 100_000,
  },
  () => console.log(`peerjs server on ws://127.0.0.1:${port}/peerjs`),
);
process.on('SIGTERM', () => process.exit(0));
