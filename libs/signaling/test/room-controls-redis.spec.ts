import { ErrorCode } from '@parley/protocol';
import { RoomService } from '../src/index.js';
import { twoInstancesOnRedis } from './redis-instances.js';
import { settle } from './test-client.js';

describe('host controls across two instances sharing Redis', () => {
  const instances = twoInstancesOnRedis({ resumeGraceMs: 500 });

  it('keeps a joiner on the other instance waiting, and lets them in or turns them away from the host’s instance', async () => {
    const ada = await instances.a.joined('locked', 'Ada');
    const bob = await instances.b.joined('locked', 'Bob');
    ada.client.send('lock', { locked: true });
    expect(await bob.client.next('room-locked')).toEqual({ locked: true, by: ada.id });

    const cy = await instances.b.client();
    cy.send('join', { room: 'locked', name: 'Cy', protocol: 1 });
    await cy.next('waiting');
    const [cyWaiting] = (await ada.client.next('knocking')).waiting;
    const eve = await instances.b.client();
    eve.send('join', { room: 'locked', name: 'Eve', protocol: 1 });
    await eve.next('waiting');
    expect((await ada.client.next('knocking')).waiting.map((w) => w.name)).toEqual(['Cy', 'Eve']);
    expect(bob.client.received.filter((f) => f.event === 'peer-joined' || f.event === 'knocking')).toEqual([]);

    ada.client.send('admit', { id: cyWaiting.id });
    expect(await cy.next('joined')).toMatchObject({ self: { id: cyWaiting.id, name: 'Cy' }, locked: true });
    expect(await bob.client.next('peer-joined')).toMatchObject({ peer: { id: cyWaiting.id } });
    const eveWaiting = (await ada.client.next('knocking')).waiting;
    ada.client.send('deny', { id: eveWaiting[0].id });
    expect(await eve.next('denied')).toEqual({ reason: 'denied' });
    expect((await instances.a.app.get(RoomService).peersOf('locked')).map((p) => p.name)).toEqual(['Ada', 'Bob', 'Cy']);
  });

  it('removes, mutes and lowers the hand of a peer on the other instance, and the removed peer cannot resume there', async () => {
    const ada = await instances.a.joined('ctl', 'Ada');
    const bob = await instances.b.joined('ctl', 'Bob');
    const cy = await instances.b.joined('ctl', 'Cy');

    bob.client.send('hand', { raised: true });
    const raised = (await ada.client.next('peer-updated')).peer;
    expect(raised).toMatchObject({ id: bob.id, hand: expect.any(Number) });
    ada.client.send('lower-hand', { id: bob.id });
    expect((await ada.client.next('peer-updated')).peer).toEqual(bob.joined.self);
    // The record Bob's instance holds was changed there: his next media update keeps the hand down.
    bob.client.send('media', { audio: true, video: false, screen: false });
    expect((await ada.client.next('peer-updated')).peer).not.toHaveProperty('hand');

    ada.client.send('mute', { id: bob.id });
    expect(await bob.client.next('muted')).toEqual({ by: ada.id });

    ada.client.send('remove', { id: bob.id });
    expect(await bob.client.next('removed')).toEqual({});
    expect(await cy.client.next('peer-left')).toEqual({ id: bob.id, reason: 'kicked' });
    for (const instance of [instances.a, instances.b]) {
      const back = await instance.client();
      back.send('join', { room: 'ctl', name: 'Bob', protocol: 1, resume: bob.joined.resume });
      expect(await back.next('error')).toMatchObject({ code: ErrorCode.Unauthorized, details: [{ field: 'resume', problems: ['removed'] }] });
    }
  });

  it('hands the role to a peer on the other instance, and passes it on when that host leaves', async () => {
    const ada = await instances.a.joined('roles', 'Ada');
    const bob = await instances.b.joined('roles', 'Bob');
    const cy = await instances.a.joined('roles', 'Cy');
    ada.client.send('host', { id: bob.id });
    const changes = [(await cy.client.next('peer-updated')).peer, (await cy.client.next('peer-updated')).peer];
    expect(changes.find((p) => p.id === bob.id)?.host).toBe(true);
    expect(changes.find((p) => p.id === ada.id)?.host).toBeUndefined();

    bob.client.send('lock', { locked: true });
    expect(await ada.client.next('room-locked')).toEqual({ locked: true, by: bob.id });
    bob.client.send('leave', {});
    expect(await cy.client.next('peer-left')).toEqual({ id: bob.id, reason: 'left' });
    expect((await cy.client.next('peer-updated')).peer).toEqual(ada.joined.self);
    await settle();
    expect((await instances.b.app.get(RoomService).peersOf('roles')).filter((p) => p.host).map((p) => p.name)).toEqual(['Ada']);
  });

  it('relays reactions across instances', async () => {
    const ada = await instances.a.joined('fun', 'Ada');
    const bob = await instances.b.joined('fun', 'Bob');
    bob.client.send('react', { emoji: '👏' });
    expect(await ada.client.next('reaction')).toEqual({ from: bob.id, emoji: '👏' });
  });
});
