import type { Peer } from '@parley/protocol';
import { describeRecorders, recordersOf } from './recording.svelte';

const peer = (name: string, recording?: true): Peer => ({
  id: name.toLowerCase(),
  name,
  media: { audio: true, video: true, screen: false },
  connection: 'online',
  ...(recording && { recording }),
});

describe(recordersOf.name, () => {
  it('lists who records, as the server marks them, in arrival order', () => {
    const remotes = [peer('Ada', true), peer('Bo'), peer('Cy', true)].map((p) => ({ peer: p }));
    expect(recordersOf(peer('Me'), remotes)).toEqual({ self: false, others: ['Ada', 'Cy'] });
    expect(recordersOf(peer('Me', true), [])).toEqual({ self: true, others: [] });
    expect(recordersOf(null, [])).toEqual({ self: false, others: [] });
  });
});

describe(describeRecorders.name, () => {
  it.each([
    [{ self: false, others: [] }, null],
    [{ self: false, others: ['Ada'] }, 'Ada is recording'],
    [{ self: true, others: [] }, 'You are recording'],
    [{ self: false, others: ['Ada', 'Bo'] }, 'Ada and Bo are recording'],
    [{ self: true, others: ['Ada', 'Bo'] }, 'You, Ada, and Bo are recording'],
  ])('says %j as %j', (recorders, text) => {
    expect(describeRecorders(recorders)).toBe(text);
  });
});
