import { clientSdp, withOpusDtx } from './sdp.js';

const answer = (audio: string[], eol = '\r\n') =>
  [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=VideoRoom 1234',
    't=0 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    ...audio,
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'a=rtpmap:96 VP8/90000',
    'a=fmtp:96 x=1',
    '',
  ].join(eol);

describe('the SDP a browser gets from Janus', () => {
  it('names no VideoRoom', () => {
    expect(clientSdp(answer([]))).toContain('\r\ns=-\r\n');
    expect(clientSdp(answer([]))).not.toContain('VideoRoom');
  });

  it.each([
    [
      'adds usedtx to the Opus parameters',
      ['a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1'],
      'a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1',
    ],
    ['leaves a usedtx that is there', ['a=rtpmap:111 opus/48000/2', 'a=fmtp:111 usedtx=0;useinbandfec=1'], 'a=fmtp:111 usedtx=0;useinbandfec=1'],
    [
      'gives Opus without parameters a line of its own',
      ['a=rtpmap:111 opus/48000/2', 'a=rtcp-fb:111 transport-cc'],
      'a=rtpmap:111 opus/48000/2\r\na=fmtp:111 usedtx=1',
    ],
    ['reads the payload type from the rtpmap', ['a=rtpmap:109 OPUS/48000/2', 'a=fmtp:109 useinbandfec=1'], 'a=fmtp:109 useinbandfec=1;usedtx=1'],
  ])('%s', (_, audio, expected) => {
    // The whole line: nothing appended after it.
    expect(withOpusDtx(answer(audio))).toContain(`${expected}\r\n`);
  });

  it('touches no other codec, and keeps the line ends it was given', () => {
    const lf = answer(['a=rtpmap:111 opus/48000/2', 'a=fmtp:111 useinbandfec=1'], '\n');
    const out = withOpusDtx(lf);
    expect(out).not.toContain('\r');
    expect(out).toContain('a=fmtp:96 x=1\n');
    expect(out.split('usedtx').length).toBe(2);
  });

  it('returns an answer with no Opus as it was', () => {
    const pcmu = answer(['a=rtpmap:0 PCMU/8000']);
    expect(withOpusDtx(pcmu)).toBe(pcmu);
  });
});
