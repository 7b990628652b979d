import { collect, describePath, inbound, outbound, outgoingEstimate, selectedPair } from './stats';

describe('describePath', () => {
  const stats = (local: Record<string, unknown>, remote: Record<string, unknown> = { candidateType: 'host' }) => [
    { id: 'P', type: 'candidate-pair', selected: true, localCandidateId: 'L', remoteCandidateId: 'R' },
    { id: 'L', type: 'local-candidate', ...local },
    { id: 'R', type: 'remote-candidate', ...remote },
  ];

  it('names a relayed path and the transport to the relay', () => {
    expect(describePath(stats({ candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' }))).toMatchObject({ kind: 'relay', transport: 'tcp' });
    expect(describePath(stats({ candidateType: 'relay', protocol: 'udp', relayProtocol: 'tls' }))).toMatchObject({ kind: 'relay', transport: 'tls' });
    expect(describePath(stats({ candidateType: 'host', protocol: 'udp' }, { candidateType: 'relay' }))).toMatchObject({
      kind: 'relay',
      transport: 'udp',
    });
  });

  it('names a direct TCP path', () => {
    expect(describePath(stats({ candidateType: 'host', protocol: 'tcp' }))).toMatchObject({ kind: 'direct', transport: 'tcp' });
  });

  it('finds the pair the way Firefox marks it, or by nomination', () => {
    expect(selectedPair(stats({ candidateType: 'host' }) as never)?.id).toBe('P');
    const nominated = [
      { id: 'A', type: 'candidate-pair', state: 'in-progress' },
      { id: 'B', type: 'candidate-pair', state: 'succeeded', nominated: true },
    ];
    expect(selectedPair(nominated)?.id).toBe('B');
    expect(selectedPair([])).toBeUndefined();
  });
});

describe('outgoingEstimate', () => {
  it('reads the estimate of the pair the transport selected, not of another pair', () => {
    const stats = [
      { id: 'T', type: 'transport', selectedCandidatePairId: 'B' },
      { id: 'A', type: 'candidate-pair', state: 'succeeded', nominated: true, availableOutgoingBitrate: 9e6 },
      { id: 'B', type: 'candidate-pair', state: 'succeeded', availableOutgoingBitrate: 300_000 },
    ];
    expect(outgoingEstimate(stats)).toBe(300_000);
  });

  it('is undefined when the browser reports none', () => {
    expect(outgoingEstimate([{ id: 'A', type: 'candidate-pair', selected: true }])).toBeUndefined();
    expect(outgoingEstimate([])).toBeUndefined();
  });
});

describe('inbound and outbound', () => {
  const report = new Map(
    [
      { id: 'ia', type: 'inbound-rtp', kind: 'audio' },
      { id: 'iv', type: 'inbound-rtp', kind: 'video' },
      { id: 'oa', type: 'outbound-rtp', kind: 'audio' },
      { id: 'ov', type: 'outbound-rtp', kind: 'video' },
      { id: 'rv', type: 'remote-inbound-rtp', kind: 'video' },
    ].map((s) => [s.id, s]),
  );

  it('lists the RTP entries of one kind, or of every kind', () => {
    const stats = collect(report);
    expect(inbound(stats, 'video').map((s) => s.id)).toEqual(['iv']);
    expect(inbound(stats).map((s) => s.id)).toEqual(['ia', 'iv']);
    expect(outbound(stats, 'audio').map((s) => s.id)).toEqual(['oa']);
    expect(outbound(stats).map((s) => s.id)).toEqual(['oa', 'ov']);
  });
});
