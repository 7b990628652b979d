// A load worker, forked by bench/run.js. It holds whole rooms of clients (so a sender and its
// receivers share this process's clock) and obeys commands over IPC:
//   {type: 'connect', group, urls, protocol, rooms: [{name, size}], idle, concurrency, timeoutMs} -> 'connected'
//   {type: 'run', group, runId, rate, durationMs, drainMs}                                -> 'ran'
//   {type: 'close', leave}                                                                -> exits
//     (with `leave`, Parley-protocol clients send `leave` and close cleanly first, so that a
//     server holds no reconnecting peers of theirs afterwards)
// A group is the set of clients of one target, so one worker can load several targets in turn.
// Each signal carries its run id, a per-sender sequence number and its send time, written into
// the candidate line or the SDP text, because the server forwards only protocol fields.
// `protocol` is `parley` (Parley and the bare relay) or `peerjs` (PeerJS's server, whose clients
// pick their own ids, so room-mates are known in advance, and send a HEARTBEAT every 5 s).
import { WebSocket } from 'ws';

const now = () => performance.timeOrigin + performance.now(); // wall clock, ms, sub-ms precision
const groups = new Map(); // group -> clients
const byPeerId = new Map();
let current; // the run being measured

const CANDIDATE_PAD = 'x'.repeat(8); // a candidate frame of ~200 bytes
const SDP_BODY = (() => {
  const lines = ['s=-', 't=0 0', 'a=group:BUNDLE 0 1', 'a=msid-semantic: WMS parley'];
  for (let i = 0; lines.join('\r\n').length < 4000; i++) lines.push(`a=rtpmap:${96 + (i % 30)} VP8/90000 a=rtcp-fb:${96 + (i % 30)} nack pli`);
  return lines.join('\r\n').slice(0, 3950) + '\r\n';
})();

/** One signal frame of the realistic mix: ~10% 4 KB descriptions, the rest ~200-byte candidates. */
function signalFrame(protocol, to, runId, seq, sentAt) {
  const stamp = Math.round(sentAt * 1000); // microseconds since the epoch
  if (Math.random() < 0.1) {
    const description = { type: 'offer', sdp: `v=0\r\no=- ${runId} ${seq} ${stamp} IN IP4 127.0.0.1\r\n${SDP_BODY}` };
    if (protocol === 'peerjs') return JSON.stringify({ type: 'OFFER', dst: to, payload: { sdp: description } });
    return JSON.stringify({ event: 'signal', data: { to, description } });
  }
  const candidate = {
    candidate: `candidate:${runId} 1 udp ${seq} ${stamp} 127.0.0.1 9 typ host generation 0 ufrag ${CANDIDATE_PAD}`,
    sdpMid: '0',
    sdpMLineIndex: 0,
  };
  if (protocol === 'peerjs') return JSON.stringify({ type: 'CANDIDATE', dst: to, payload: { candidate } });
  return JSON.stringify({ event: 'signal', data: { to, candidate } });
}

/** A PeerJS frame as the `{event, data}` of Parley's protocol, so one handler reads both. */
function fromPeerJs(frame) {
  switch (frame.type) {
    case 'OPEN':
      return { event: 'joined' };
    case 'CANDIDATE':
      return { event: 'signal', data: { from: frame.src, candidate: frame.payload.candidate } };
    case 'OFFER':
    case 'ANSWER':
      return { event: 'signal', data: { from: frame.src, description: frame.payload.sdp } };
    case 'ERROR':
    case 'ID-TAKEN':
      return { event: 'error', data: { code: frame.type, message: frame.payload?.msg } };
    default:
      return {};
  }
}

/** PeerJS's client sends a HEARTBEAT every 5 s; one timer sends them for all of this worker's. */
const peerJsClients = new Set();
setInterval(() => {
  for (const c of peerJsClients) if (c.ws.readyState === WebSocket.OPEN) c.ws.send('{"type":"HEARTBEAT"}');
}, 5000).unref();

/** [runId, seq, sentAtMicros] from a relayed signal, or undefined. */
function stampOf(data) {
  if (data.candidate) {
    const parts = data.candidate.candidate.split(' ', 5);
    return [Number(parts[0].slice(10)), Number(parts[3]), Number(parts[4])];
  }
  if (data.description) {
    const parts = data.description.sdp.slice(0, 200).split('\r\n')[1].split(' ', 5);
    return [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  }
  return undefined;
}

function onSignal(client, data) {
  const run = current;
  const stamp = stampOf(data);
  if (!run || !stamp || stamp[0] !== run.id) {
    // Late: it belongs to an earlier run, whose drain gave up on it. Reported by run id, so the
    // orchestrator can count it as delivered late rather than lost.
    if (run && stamp) run.staleByRun[stamp[0]] = (run.staleByRun[stamp[0]] ?? 0) + 1;
    return;
  }
  const latency = now() - stamp[2] / 1000;
  run.latencies.push(latency);
  const sender = byPeerId.get(data.from);
  if (!sender) return void run.foreign++;
  sender.delivered++;
  const last = client.lastSeqFrom.get(data.from) ?? -1;
  if (stamp[1] <= last) run.outOfOrder++;
  else client.lastSeqFrom.set(data.from, stamp[1]);
}

function connectOne(client, timeoutMs) {
  return new Promise((resolve) => {
    const started = now();
    const peerjs = client.protocol === 'peerjs';
    const url = peerjs ? `${client.url}?key=peerjs&id=${client.id}&token=t${client.index}` : client.url;
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress: client.localAddress });
    client.ws = ws;
    const timer = setTimeout(() => done(`no joined within ${timeoutMs} ms`), timeoutMs);
    let settled = false;
    function done(error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.connectMs = error ? undefined : now() - started;
      client.error = error;
      resolve();
    }
    if (!peerjs) ws.on('open', () => ws.send(JSON.stringify({ event: 'join', data: { room: client.room, name: `c${client.index}`, protocol: 1 } })));
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw);
      const { event, data } = peerjs ? fromPeerJs(frame) : frame;
      if (event === 'signal') return onSignal(client, data);
      if (event === 'joined') {
        if (peerjs) peerJsClients.add(client);
        else {
          client.id = data.self.id;
          for (const peer of data.peers) client.mates.add(peer.id);
        }
        byPeerId.set(client.id, client);
        return done();
      }
      if (event === 'peer-joined') return void client.mates.add(data.peer.id);
      if (event === 'peer-left') return void client.mates.delete(data.id);
      if (event === 'error') {
        if (current) current.errors[data.code] = (current.errors[data.code] ?? 0) + 1;
        else done(`error ${data.code}: ${data.message}`);
      }
    });
    ws.on('error', (error) => done(error.message));
    ws.on('close', (code) => {
      peerJsClients.delete(client);
      client.closed = code;
      if (current) current.closes++;
      done(`closed ${code} before joined`);
    });
  });
}

/**
 * Clients come from many loopback addresses (127.0.1.1 to 127.0.4.250), as real users come from
 * many IPs, so that the server's per-IP connection limits apply as they would in production.
 */
const SOURCE_ADDRESSES = 1000;
const sourceAddress = (n) => `127.0.${1 + (Math.floor(n / 250) % 4)}.${1 + (n % 250)}`;

async function connect({ group, urls, protocol = 'parley', rooms, concurrency, timeoutMs, idle, worker, workers }) {
  const clients = [];
  groups.set(group, clients);
  for (const room of rooms) {
    // PeerJS has no rooms: each client names itself, and its room-mates are the room's other names.
    const ids = Array.from({ length: room.size }, (_, i) => `${room.name}-${i}`);
    for (let i = 0; i < room.size; i++) {
      const index = clients.length;
      const localAddress = sourceAddress((index * workers + worker) % SOURCE_ADDRESSES);
      clients.push({
        index,
        localAddress,
        room: room.name,
        roomSize: room.size,
        url: urls[index % urls.length],
        protocol,
        ...(protocol === 'peerjs' && { id: ids[i] }),
        mates: new Set(protocol === 'peerjs' ? ids.filter((_, j) => j !== i) : []),
        lastSeqFrom: new Map(),
        seq: 0,
        sent: 0,
        delivered: 0,
      });
    }
  }
  let next = 0;
  const lane = async () => {
    while (next < clients.length) await connectOne(clients[next++], timeoutMs);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, lane));
  // Wait until every client knows all its room-mates (announced by peer-joined).
  const complete = () => clients.every((c) => c.error || c.mates.size === c.roomSize - 1);
  const deadline = Date.now() + (idle ? 0 : 5000);
  while (!complete() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const errors = clients.filter((c) => c.error).map((c) => c.error);
  process.send({
    type: 'connected',
    connectMs: clients.filter((c) => c.connectMs !== undefined).map((c) => c.connectMs),
    failed: errors.length,
    firstError: errors[0],
    incompleteRooms: clients.filter((c) => !c.error && c.mates.size !== c.roomSize - 1).length,
  });
}

async function run({ group, runId, rate, durationMs, drainMs }) {
  const clients = groups.get(group);
  const senders = clients.filter((c) => !c.error && c.mates.size > 0 && c.ws.readyState === WebSocket.OPEN);
  for (const c of senders) c.mateList = [...c.mates];
  for (const c of clients) c.sent = c.delivered = 0;
  current = { id: runId, latencies: [], outOfOrder: 0, staleByRun: {}, foreign: 0, closes: 0, errors: {} };
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let sent = 0;
  let cursor = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - started;
      const due = Math.min(Math.floor((rate * Math.min(elapsed, durationMs)) / 1000), Math.ceil((rate * durationMs) / 1000));
      for (; sent < due; sent++) {
        const client = senders[cursor++ % senders.length];
        const mates = client.mateList;
        const to = mates[Math.floor(Math.random() * mates.length)];
        client.ws.send(signalFrame(client.protocol, to, runId, client.seq++, now()));
        client.sent++;
      }
      if (elapsed >= durationMs) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendWallMs = performance.now() - started;
  // Drain: wait until everything sent arrived, or nothing arrived for 3 s (what is missing
  // then is lost, not late), or drainMs passed.
  const drainEnd = performance.now() + drainMs;
  const delivered = () => senders.reduce((n, c) => n + c.delivered, 0);
  let seen = delivered();
  let lastProgress = performance.now();
  while (delivered() < sent && performance.now() < drainEnd && performance.now() - lastProgress < 3000) {
    await new Promise((r) => setTimeout(r, 20));
    if (delivered() > seen) [seen, lastProgress] = [delivered(), performance.now()];
  }
  const cpu = process.cpuUsage(cpu0);
  const run = current;
  current = undefined;
  const lostPerSender = senders.map((c) => c.sent - c.delivered);
  process.send({
    type: 'ran',
    sent,
    delivered: delivered(),
    lost: lostPerSender.reduce((a, b) => a + Math.max(0, b), 0),
    sendersWithLoss: lostPerSender.filter((n) => n > 0).length,
    maxLostPerSender: Math.max(0, ...lostPerSender),
    senders: senders.length,
    outOfOrder: run.outOfOrder,
    staleByRun: run.staleByRun,
    foreign: run.foreign,
    closes: run.closes,
    errors: run.errors,
    sendWallMs,
    workerCpuMs: (cpu.user + cpu.system) / 1000,
    latencies: run.latencies,
  });
}

process.on('message', (message) => {
  if (message.type === 'connect') connect(message);
  else if (message.type === 'run') run(message);
  else if (message.type === 'close') close(message);
});
process.on('disconnect', () => process.exit(0));

async function close({ leave = false }) {
  const clients = [...groups.values()].flat();
  if (leave) {
    const open = clients.filter((c) => c.protocol === 'parley' && c.ws?.readyState === WebSocket.OPEN);
    const closed = open.map((c) => new Promise((resolveClosed) => c.ws.once('close', resolveClosed)));
    for (const c of open) {
      c.ws.send(JSON.stringify({ event: 'leave', data: {} }));
      c.ws.close(1000);
    }
    await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, 10_000))]);
  }
  for (const c of clients) c.ws?.terminate();
  process.exit(0);
}
