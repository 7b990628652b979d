import { SfuError } from './sfu-errors.js';
import { readCandidate, readJsep, readParticipants, readPublishers, readSubscribedStreams, streamsOfOffer } from './sfu-input.js';

const warn = () => undefined;

describe('sfu-input', () => {
  it.each([
    ['no jsep', {}],
    ['a string jsep', { jsep: 'v=0' }],
    ['the wrong type', { jsep: { type: 'answer', sdp: 'v=0\r\n' } }],
    ['a non-SDP', { jsep: { type: 'offer', sdp: 'hello' } }],
    ['a huge SDP', { jsep: { type: 'offer', sdp: `v=0\r\n${'a'.repeat(200_000)}` } }],
    ['null', null],
  ])('readJsep refuses %s', (_name, result) => {
    expect(() => readJsep(result, 'offer', 'test')).toThrow(SfuError);
  });

  it('reads valid subscriber streams and drops malformed ones', () => {
    const streams = readSubscribedStreams(
      [
        { mid: '0', type: 'audio', feed_id: 'f', feed_display: 'peer-a', feed_mid: '0', active: true },
        { mid: '1', type: 'video', feed_id: 'f', feed_display: 'peer-a', feed_mid: '1', active: false },
        { mid: '2', type: 'data' }, // Janus's data channel: no feed
        { mid: 3, type: 'video', feed_display: 'peer-b', feed_mid: '1' },
        { mid: '4', type: 'smell', feed_display: 'peer-b', feed_mid: '1' },
        { mid: '5', type: 'video', feed_display: {}, feed_mid: '1' },
        { mid: '6', type: 'video', feed_display: 'x'.repeat(500), feed_mid: '1' },
        'junk',
        null,
      ],
      warn,
    );
    expect(streams).toEqual([
      { mid: '0', kind: 'audio', peer: 'peer-a', peerMid: '0', active: true },
      { mid: '1', kind: 'video', peer: 'peer-a', peerMid: '1', active: false },
    ]);
    expect(readSubscribedStreams('nope', warn)).toEqual([]);
  });

  it('reads publishers and participants, dropping malformed entries', () => {
    const publishers = readPublishers(
      [
        {
          feed: 'f1',
          display: 'peer-a',
          streams: [
            { mid: '0', type: 'audio', codec: 'opus' },
            { mid: '1', type: 'video', simulcast: true },
            { mid: '2', type: 'video', disabled: true },
          ],
        },
        { feed: 7, display: 'peer-b' },
        { feed: 'f3' },
        { feed: 'f4', display: 'peer-d', streams: 'nope' },
      ],
      warn,
    );
    expect([...publishers]).toEqual([
      [
        'f1',
        {
          peer: 'peer-a',
          streams: [
            { mid: '0', kind: 'audio', codec: 'opus', simulcast: false },
            { mid: '1', kind: 'video', simulcast: true },
          ],
        },
      ],
      ['f4', { peer: 'peer-d', streams: [] }],
    ]);
    const participants = readParticipants(
      {
        participants: [
          { feed: 'f1', display: 'peer-a', publisher: true },
          { feed: 'f2', display: 'peer-b', publisher: false },
          { feed: {}, display: 'peer-c', publisher: true },
        ],
      },
      warn,
    );
    expect([...participants]).toEqual([['peer-a', 'f1']]);
    expect(readParticipants({ participants: {} }, warn).size).toBe(0);
  });

  it.each([
    [{ completed: true }, null],
    [
      { candidate: 'candidate:1 1 udp 1 192.0.2.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      { candidate: 'candidate:1 1 udp 1 192.0.2.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    ],
    [
      { candidate: 'c', sdpMid: 5, sdpMLineIndex: 'x' },
      { candidate: 'c', sdpMid: null, sdpMLineIndex: null },
    ],
    [{ candidate: 7 }, undefined],
    [{ candidate: 'x'.repeat(2000) }, undefined],
    ['candidate', undefined],
    [null, undefined],
  ])('readCandidate(%j)', (input, expected) => {
    expect(readCandidate(input)).toEqual(expected);
  });

  it('lists the sending m-lines of an offer, with simulcast', () => {
    const sdp = [
      'v=0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111 0 8',
      'a=mid:0',
      'a=sendonly',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:1',
      'a=simulcast:send q;h;f',
      'm=video 0 UDP/TLS/RTP/SAVPF 96',
      'a=mid:2',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:3',
      'a=inactive',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      'a=mid:4',
      '',
    ].join('\r\n');
    expect(streamsOfOffer(sdp)).toEqual([
      { mid: '0', kind: 'audio', simulcast: false },
      { mid: '1', kind: 'video', simulcast: true },
    ]);
  });
});
