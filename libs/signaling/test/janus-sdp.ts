/**
 * A hand-built browser-style SDP offer for a Janus publisher: BUNDLEd audio (Opus) and video (VP8,
 * three simulcast rids), fresh ICE ufrag/pwd and a DTLS fingerprint. Janus answers it; no media
 * flows (no browser), which the adapter tests do not need.
 */
import { randomBytes } from 'node:crypto';

export function publisherOffer(): string {
  const ufrag = randomBytes(3).toString('hex');
  const pwd = randomBytes(12).toString('hex');
  const fingerprint = [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
  const session = BigInt(`0x${randomBytes(7).toString('hex')}`).toString();
  const common = [
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=ice-ufrag:${ufrag}`,
    `a=ice-pwd:${pwd}`,
    'a=ice-options:trickle',
    `a=fingerprint:sha-256 ${fingerprint}`,
    'a=setup:actpass',
  ];
  return [
    'v=0',
    `o=- ${session} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS parley',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    ...common,
    'a=mid:0',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendonly',
    'a=msid:parley audio0',
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=ssrc:11111111 cname:parley',
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
    ...common,
    'a=mid:1',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
    'a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
    'a=sendonly',
    'a=msid:parley video0',
    'a=rtcp-mux',
    'a=rtcp-rsize',
    'a=rtpmap:96 VP8/90000',
    'a=rtcp-fb:96 goog-remb',
    'a=rtcp-fb:96 transport-cc',
    'a=rtcp-fb:96 ccm fir',
    'a=rtcp-fb:96 nack',
    'a=rtcp-fb:96 nack pli',
    'a=rtpmap:97 rtx/90000',
    'a=fmtp:97 apt=96',
    'a=rid:q send',
    'a=rid:h send',
    'a=rid:f send',
    'a=simulcast:send q;h;f',
    '',
  ].join('\r\n');
}

/** The answer a browser would give to Janus's subscriber offer: every m-line recvonly. */
export function subscriberAnswer(offer: string): string {
  const ufrag = randomBytes(3).toString('hex');
  const pwd = randomBytes(12).toString('hex');
  const fingerprint = [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
  return offer
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate') && !line.startsWith('a=end-of-candidates') && !line.startsWith('a=ssrc'))
    .map((line) => {
      if (line.startsWith('a=ice-ufrag:')) return `a=ice-ufrag:${ufrag}`;
      if (line.startsWith('a=ice-pwd:')) return `a=ice-pwd:${pwd}`;
      if (line.startsWith('a=fingerprint:')) return `a=fingerprint:sha-256 ${fingerprint}`;
      if (line.startsWith('a=setup:')) return 'a=setup:active';
      if (line === 'a=sendonly') return 'a=recvonly';
      if (line.startsWith('a=ice-options')) return 'a=ice-options:trickle';
      return line;
    })
    .join('\r\n');
}
