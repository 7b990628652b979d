import { ErrorCode, type ClientEvents } from '@parley/protocol';
import { RoomControls } from '../src/room-controls.service.js';
import { twoInstancesOnRedis } from './redis-instances.js';
import { TestApp } from './test-app.js';
import { settle } from './test-client.js';

/** The names of the peers a `joined` lists as recording. */
const recorders = (peers: { name: string; recording?: true }[]) => peers.filter((p) => p.recording).map((p) => p.name);

describe(`${RoomControls.name}: recording`, () => {
  let sut: TestApp;

  beforeEach(async () => {
    sut = await TestApp.start({ resumeGraceMs: 300 });
  });

  afterEach(async () => {
    await sut.close();
  });

  it('tells the whole room who records, the sender with its ref, until they stop', async () => {
    const ada = await sut.joined('r1', 'Ada');
    const bob = await sut.joined('r1', 'Bob');
    await ada.client.next('peer-joined');

    bob.client.send('recording', { active: true, ref: 'rec1' });
    expect(await ada.client.next('peer-updated')).toEqual({ peer: { ...bob.joined.self, recording: true } });
    expect(await bob.client.next('peer-updated')).toEqual({ peer: { ...bob.joined.self, recording: true }, ref: 'rec1' });

    // A media change keeps the flag: it is part of the peer.
    bob.client.send('media', { audio: true, video: true, screen: false });
    expect((await ada.client.next('peer-updated')).peer).toMatchObject({ id: bob.id, recording: true, media: { audio: true } });
    await bob.client.next('peer-updated');

    bob.client.send('recording', { active: false });
    expect((await ada.client.next('peer-updated')).peer).not.toHaveProperty('recording');
    expect((await bob.client.next('peer-updated')).peer).not.toHaveProperty('recording');
  });

  it('lets anyone record, not only hosts', async () => {
    const ada = await sut.joined('r1', 'Ada');
    const bob = await sut.joined('r1', 'Bob');
    expect(bob.joined.self.host).toBeUndefined();
    bob.client.send('recording', { active: true });
    expect((await ada.client.next('peer-updated')).peer).toMatchObject({ id: bob.id, recording: true });
  });

  it('shows a newcomer who is recording in its joined', async () => {
    const ada = await sut.joined('r1', 'Ada');
    const bob = await sut.joined('r1', 'Bob');
    ada.client.send('recording', { active: true });
    await bob.client.next('peer-updated');

    const cy = await sut.joined('r1', 'Cy');
    expect(recorders(cy.joined.peers)).toEqual(['Ada']);
  });

  it.each([
    ['leaves', 'left'],
    ['is removed', 'kicked'],
    ['drops and does not come back', 'timeout'],
  ] as const)('ends the recording when the recorder %s', async (_what, reason) => {
    const ada = await sut.joined('r1', 'Ada');
    const bob = await sut.joined('r1', 'Bob');
    const cy = await sut.joined('r1', 'Cy');
    bob.client.send('recording', { active: true });
    expect((await cy.client.next('peer-updated')).peer).toMatchObject({ id: bob.id, recording: true });

    if (reason === 'left') bob.client.send('leave', {});
    else if (reason === 'kicked') ada.client.send('remove', { id: bob.id });
    else bob.client.close();
    expect(await cy.client.next('peer-left', 2_000)).toEqual({ id: bob.id, reason });

    const late = await sut.joined('r1', 'Late');
    expect(recorders(late.joined.peers)).toEqual([]);
  });

  it('keeps the flag through a resume of the session', async () => {
    const ada = await sut.joined('r1', 'Ada');
    const bob = await sut.joined('r1', 'Bob');
    bob.client.send('recording', { active: true });
    await ada.client.next('peer-updated');

    bob.client.close();
    expect((await ada.client.next('peer-updated')).peer).toMatchObject({ id: bob.id, connection: 'reconnecting', recording: true });
    const back = await sut.client();
    const joined = await back.join('r1', 'Bob', { resume: bob.joined.resume });
    expect(joined).toMatchObject({ resumed: 'session', self: { id: bob.id, recording: true } });
  });

  it('refuses someone not in a room, and someone waiting at a locked door', async () => {
    const stranger = await sut.client();
    stranger.send('recording', { active: true, ref: 'x' });
    expect(await stranger.next('error')).toMatchObject({ code: ErrorCode.NotJoined, event: 'recording', ref: 'x' });

    const ada = await sut.joined('r1', 'Ada');
    ada.client.send('lock', { locked: true });
    await ada.client.next('room-locked');
    const cy = await sut.client();
    cy.send('join', { room: 'r1', name: 'Cy', protocol: 1 });
    await cy.next('waiting');
    cy.send('recording', { active: true });
    expect(await cy.next('error')).toMatchObject({ code: ErrorCode.NotJoined, event: 'recording' });
    await ada.client.next('knocking');
    await settle();
    expect(ada.client.received).toEqual([]);
  });

  const bad: [unknown, string][] = [
    [{}, 'active'],
    [{ active: 'yes' }, 'active'],
    [{ active: 1 }, 'active'],
    [{ active: null }, 'active'],
    [{ active: true, peer: 'someone-else' }, 'peer'],
    [{ active: true, by: 'x' }, 'by'],
  ];

  it.each(bad)('answers recording %j with invalid-message naming %s, and tells nobody', async (data, field) => {
    const ada = await sut.joined('r1', 'Ada');
    const bob = await sut.joined('r1', 'Bob');
    bob.client.send('recording', data as Record<string, unknown>);
    const error = await bob.client.next('error');
    expect(error).toMatchObject({ code: ErrorCode.InvalidMessage, event: 'recording' });
    expect(error.details?.map((d) => d.field)).toContain(field);
    await bob.client.roundTrip();
    await ada.client.next('peer-updated');
    expect(ada.client.received.filter((f) => f.event === 'peer-updated')).toEqual([]);
  });

  it('rate limits toggling like the other room events', async () => {
    const ada = await sut.joined('r1', 'Ada');
    for (let i = 0; i < 45; i++) ada.client.send('recording', { active: i % 2 === 0 } satisfies ClientEvents['recording']);
    await settle(300);
    const codes = ada.client.received.filter((f) => f.event === 'error').map((f) => f.event === 'error' && f.data.code);
    expect(codes.length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set([ErrorCode.RateLimited]));
  });
});

describe('recording across two instances sharing Redis', () => {
  const instances = twoInstancesOnRedis({ resumeGraceMs: 500 });

  it('shows a recorder on one instance to the room and to a newcomer on the other', async () => {
    const ada = await instances.a.joined('rec', 'Ada');
    const bob = await instances.b.joined('rec', 'Bob');
    bob.client.send('recording', { active: true });
    expect((await ada.client.next('peer-updated')).peer).toMatchObject({ id: bob.id, recording: true });

    const cy = await instances.a.joined('rec', 'Cy');
    expect(recorders(cy.joined.peers)).toEqual(['Bob']);

    bob.client.send('leave', {});
    expect(await cy.client.next('peer-left')).toEqual({ id: bob.id, reason: 'left' });
    const late = await instances.a.joined('rec', 'Late');
    expect(recorders(late.joined.peers)).toEqual([]);
  });
});
