// Floods a gateway with bad frames from its own process, so that the server under test does not
// share an event loop (or the cost of masking 60 KB frames) with its attacker.
//   stdin:  one JSON line {url, sockets, frames: [string | {base64}]}
//   stdout: "started" once 100 frames were answered; on SIGTERM, "answered <n>", then it exits.
// Each socket has one frame in flight: it waits for the error (or the close) before the next, and
// opens a new socket when the server closes it.
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';

const [line] = await createInterface({ input: process.stdin })
  [Symbol.asyncIterator]()
  .next()
  .then(({ value }) => [value]);
const { url, sockets, frames } = JSON.parse(line);
const payloads = frames.map((frame) => (typeof frame === 'string' ? frame : Buffer.from(frame.base64, 'base64')));
let answered = 0;
let running = true;

process.on('SIGTERM', () => {
  running = false;
  process.stdout.write(`answered ${answered}\n`, () => process.exit(0));
});

function exchange(socket, payload) {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('message', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('message', done);
    socket.on('close', done);
    socket.send(payload, { binary: typeof payload !== 'string' });
  });
}

async function attacker(n) {
  for (let i = n; running;) {
    const socket = new WebSocket(url, { localAddress: `127.0.1.${n + 1}` });
    socket.on('error', () => {});
    const opened = await new Promise((resolve) => socket.once('open', () => resolve(true)).once('close', () => resolve(false)));
    while (opened && running && socket.readyState === WebSocket.OPEN) {
      await exchange(socket, payloads[i++ % payloads.length]);
      if (++answered === 100) process.stdout.write('started\n');
    }
    socket.terminate();
  }
}

for (let n = 0; n < sockets; n++) void attacker(n);
