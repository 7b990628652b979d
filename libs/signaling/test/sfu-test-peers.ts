/**
 * Browsers in an SFU room as the gateway tests play them: real WebRTC peers (werift) that publish
 * over Parley's socket and answer every `sfu-offer` as SfuTransport does. One instance per test
 * owns them all and closes them in `afterEach`.
 */
import type { ServerEvents } from '@parley/protocol';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import { answerOffer, subscriberPc } from './janus-peers.js';
import type { TestClient } from './test-client.js';

export const activePeers = (offer: ServerEvents['sfu-offer']) => offer.streams.filter((s) => s.active).map((s) => `${s.peer}/${s.kind}`);

export class SfuTestPeers {
  readonly pcs: RTCPeerConnection[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  /** Answers being made: a peer connection closed while it gathers keeps its socket open. */
  readonly #answering: Promise<unknown>[] = [];

  /** Publishes audio + video from a werift peer over the socket; resolves once Janus answered. */
  async publish(client: TestClient, ref = 'pub') {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    this.pcs.push(pc);
    pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
    pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    if (pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => pc.iceGatheringStateChange.subscribe((state) => state === 'complete' && resolve()));
    }
    client.send('sfu-publish', { description: { type: 'offer', sdp: pc.localDescription!.sdp }, ref });
    const answer = await client.next('sfu-answer', 10_000);
    await pc.setRemoteDescription(answer.description);
    return { pc, answer };
  }

  /**
   * Sends RTP on every track `pc` publishes, 50 packets a second: Opus-sized audio, and VP8 frames
   * (a payload descriptor that starts a partition), which Janus forwards as they come.
   */
  sendMedia(pc: RTCPeerConnection): void {
    let sequenceNumber = 0;
    const timer = setInterval(() => {
      sequenceNumber = (sequenceNumber + 1) & 0xffff;
      for (const transceiver of pc.getTransceivers()) {
        const track = transceiver.sender.track;
        if (!track) continue;
        const payload = track.kind === 'video' ? Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, ...new Array(40).fill(0)]) : Buffer.alloc(60, 1);
        const header = new RtpHeader({ sequenceNumber, timestamp: sequenceNumber * 960, marker: true });
        track.writeRtp(new RtpPacket(header, payload));
      }
    }, 20);
    this.#timers.push(timer);
  }

  /**
   * A browser's subscriber connection: answers every sfu-offer as it arrives, as SfuTransport
   * does (Janus holds further changes until the offer before is answered).
   */
  subscriber(client: TestClient) {
    const pc = subscriberPc();
    this.pcs.push(pc);
    const offers: ServerEvents['sfu-offer'][] = [];
    let busy = false;
    // RTP packets received per transceiver mid, on every track a receiver gets: a mid Janus reuses
    // for another publisher gets a second track, and werift's onTrack does not tell of that one.
    const received = new Map<string, number>();
    const counted = new WeakSet<object>();
    const countNewTracks = () => {
      for (const transceiver of pc.getTransceivers()) {
        for (const track of transceiver.receiver.tracks) {
          if (counted.has(track)) continue;
          counted.add(track);
          track.onReceiveRtp.subscribe(() => {
            const mid = transceiver.mid;
            if (mid != null) received.set(mid, (received.get(mid) ?? 0) + 1);
          });
        }
      }
    };
    const timer = setInterval(() => {
      countNewTracks();
      if (busy) return;
      const index = client.received.findIndex((frame) => frame.event === 'sfu-offer');
      if (index < 0) return;
      const offer = client.received.splice(index, 1)[0]!.data as ServerEvents['sfu-offer'];
      offers.push(offer);
      busy = true;
      const answer = answerOffer(pc, offer.description.sdp)
        .then((sdp) => client.send('sfu-answer', { description: { type: 'answer', sdp } }))
        .finally(() => (busy = false));
      this.#answering.push(answer);
    }, 20);
    this.#timers.push(timer);
    return {
      pc,
      offers,
      received,
      /** Stops answering (the browser dropped this connection). */
      stop: () => clearInterval(timer),
      async until(match: (offer: ServerEvents['sfu-offer']) => boolean, timeoutMs = 15_000) {
        const deadline = Date.now() + timeoutMs;
        while (!offers.some(match)) {
          if (Date.now() > deadline) throw new Error(`no matching sfu-offer in ${timeoutMs} ms: ${JSON.stringify(offers.map(activePeers))}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return offers.find(match)!;
      },
    };
  }

  async close(): Promise<void> {
    this.#timers.splice(0).forEach(clearInterval);
    await Promise.allSettled(this.#answering.splice(0));
    await Promise.all(this.pcs.splice(0).map((pc) => pc.close()));
  }
}
