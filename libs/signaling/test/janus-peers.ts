/**
 * Helpers for the Janus adapter tests: a real WebRTC publisher (werift, pure TypeScript) that
 * completes ICE and DTLS with Janus, a raw Janus API client standing in for an outsider, a
 * logger that records, and a wait for one adapter event.
 */
import { randomBytes } from 'node:crypto';
import { MediaStreamTrack, RTCPeerConnection } from 'werift';
import { WebSocket } from 'ws';
import type { JanusPool } from '../src/sfu/janus-pool.js';
import type { SfuEvents, SfuLogger } from '../src/sfu/sfu.types.js';

export class RecordingLogger implements SfuLogger {
  readonly lines: { level: string; message: string }[] = [];
  debug = (message: string) => void this.lines.push({ level: 'debug', message });
  log = (message: string) => void this.lines.push({ level: 'log', message });
  warn = (message: string) => void this.lines.push({ level: 'warn', message });
  error = (message: string) => void this.lines.push({ level: 'error', message });
  warnings(): string[] {
    return this.lines.filter((line) => line.level === 'warn').map((line) => line.message);
  }
}

/** The next `event` from the pool that `match` accepts, or a rejection after `timeoutMs`. */
export function nextEvent<E extends keyof SfuEvents>(
  pool: JanusPool,
  event: E,
  match: (payload: SfuEvents[E]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<SfuEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pool.off(event, listener);
      reject(new Error(`no ${event} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: SfuEvents[E]) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      pool.off(event, listener);
      resolve(payload);
    };
    pool.on(event, listener);
  });
}

/**
 * Publishes audio + video from a werift peer connection through the pool and waits until Janus
 * reports the connection up (a VideoRoom publisher only becomes subscribable then).
 */
export async function connectPublisher(pool: JanusPool, room: string, peer: string): Promise<RTCPeerConnection> {
  // max-bundle: werift otherwise opens a socket per transceiver and never closes the spare one.
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
  pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => pc.iceGatheringStateChange.subscribe((state) => state === 'complete' && resolve()));
  }
  const up = nextEvent(pool, 'connection', (e) => e.room === room && e.peer === peer && e.role === 'publisher' && e.state === 'up');
  const answer = await pool.publish(room, peer, pc.localDescription!.sdp);
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  await up;
  return pc;
}

/** A werift connection that receives whatever Janus offers it (a browser's subscriber connection). */
export function subscriberPc(): RTCPeerConnection {
  return new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
}

/** Applies Janus's subscriber offer to `pc` and returns the answer, candidates included. */
export async function answerOffer(pc: RTCPeerConnection, offerSdp: string): Promise<string> {
  await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
  await pc.setLocalDescription(await pc.createAnswer());
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => pc.iceGatheringStateChange.subscribe((state) => state === 'complete' && resolve()));
  }
  return pc.localDescription!.sdp;
}

/** A bare Janus API client with the api_secret: what someone holding only that could do. */
export class RawJanus {
  #ws!: WebSocket;
  #waiting = new Map<string, (message: Record<string, unknown>) => void>();
  #session = 0;
  #handle = 0;

  static async open(url: string, apiSecret: string): Promise<RawJanus> {
    const raw = new RawJanus();
    raw.#ws = new WebSocket(url, 'janus-protocol');
    await new Promise((resolve, reject) => raw.#ws.once('open', resolve).once('error', reject));
    raw.#ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.janus === 'ack') return;
      const done = raw.#waiting.get(String(message.transaction));
      if (done) done(message);
    });
    const created = await raw.send({ janus: 'create', apisecret: apiSecret });
    raw.#session = (created.data as { id: number }).id;
    const attached = await raw.send({ janus: 'attach', plugin: 'janus.plugin.videoroom', session_id: raw.#session, apisecret: apiSecret });
    raw.#handle = (attached.data as { id: number }).id;
    raw.apiSecret = apiSecret;
    return raw;
  }

  apiSecret = '';

  send(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const transaction = randomBytes(6).toString('hex');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(request).slice(0, 80)}`)), 10_000);
      this.#waiting.set(transaction, (message) => {
        clearTimeout(timer);
        this.#waiting.delete(transaction);
        resolve(message);
      });
      this.#ws.send(JSON.stringify({ ...request, transaction }));
    });
  }

  /** A VideoRoom request on this client's handle: the plugin's data (or the Janus error). */
  async videoroom(body: Record<string, unknown>, jsep?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const message = await this.send({
      janus: 'message',
      session_id: this.#session,
      handle_id: this.#handle,
      apisecret: this.apiSecret,
      body,
      ...(jsep ? { jsep } : {}),
    });
    if (message.janus === 'error') return { janusError: message.error };
    return ((message.plugindata as { data?: Record<string, unknown> } | undefined)?.data ?? {}) as Record<string, unknown>;
  }

  close(): void {
    this.#ws.terminate();
  }
}
