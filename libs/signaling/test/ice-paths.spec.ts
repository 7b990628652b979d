/**
 * `path`: each browser says which way a mesh link's media goes; the server counts each link once
 * per kind (the end with the smaller peer id counts it), refuses what no honest client sends, and
 * rate-limits it like every other event.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { ErrorCode, type IcePath } from '@parley/protocol';
import { NO_METRICS } from '../src/signaling-metrics.interface.js';
import { TestApp } from './test-app.js';
import type { TestClient } from './test-client.js';

describe('path (ICE path reports)', () => {
  let app: TestApp;
  const counted: IcePath[] = [];

  afterEach(async () => {
    counted.length = 0;
    await app?.close();
  });

  /** Frames of one socket are handled in order: once this answers, every earlier `path` of `who` was. */
  async function handled(who: { client: TestClient; id: string }) {
    const ref = `sync-${Math.random()}`;
    who.client.send('path', { peer: who.id, kind: 'direct', ref });
    expect(await who.client.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer, ref });
  }

  async function pair(room: string) {
    app = await TestApp.start({ metrics: { ...NO_METRICS, icePath: (path) => counted.push(path) } });
    const a = await app.joined(room, 'Ada');
    const b = await app.joined(room, 'Bob');
    // The end that counts is the one with the smaller id.
    return a.id < b.id ? { low: a, high: b } : { low: b, high: a };
  }

  it('counts a link once per kind, whichever end reports it and however often', async () => {
    const { low, high } = await pair('paths');
    low.client.send('path', { peer: high.id, kind: 'relay' });
    low.client.send('path', { peer: high.id, kind: 'relay', ref: 'again' });
    high.client.send('path', { peer: low.id, kind: 'relay' });
    await handled(low);
    await handled(high);
    expect(counted).toEqual(['relay']);

    // An ICE restart moved the link to a direct path: that counts too, once.
    high.client.send('path', { peer: low.id, kind: 'direct' });
    low.client.send('path', { peer: high.id, kind: 'direct' });
    low.client.send('path', { peer: high.id, kind: 'direct' });
    await handled(high);
    await handled(low);
    expect(counted).toEqual(['relay', 'direct']);
  });

  it('counts again after the reporter reconnects as a new session', async () => {
    const { low, high } = await pair('paths-again');
    low.client.send('path', { peer: high.id, kind: 'direct' });
    await handled(low);
    const c = await app.joined('paths-again', 'Cy');
    const [first, second] = [c, high].sort((x, y) => (x.id < y.id ? -1 : 1));
    first.client.send('path', { peer: second.id, kind: 'direct' });
    await handled(first);
    expect(counted).toEqual(['direct', 'direct']);
  });

  it('refuses bad reports with invalid-message naming the field, and counts none', async () => {
    const { low, high } = await pair('bad-paths');
    const cases: [unknown, string][] = [
      [{ kind: 'relay' }, 'peer'],
      [{ peer: high.id }, 'kind'],
      [{ peer: high.id, kind: 'turn' }, 'kind'],
      [{ peer: high.id, kind: 'RELAY' }, 'kind'],
      [{ peer: high.id, kind: null }, 'kind'],
      [{ peer: 42, kind: 'relay' }, 'peer'],
      [{ peer: '', kind: 'relay' }, 'peer'],
      [{ peer: 'p'.repeat(65), kind: 'relay' }, 'peer'],
      [{ peer: [high.id], kind: 'relay' }, 'peer'],
      [{ peer: high.id, kind: 'relay', count: 1000 }, 'count'],
      [{ peer: high.id, kind: 'relay', ref: 'r'.repeat(65) }, 'ref'],
      [{ peer: high.id, kind: ['relay'] }, 'kind'],
    ];
    // Split over two people: twenty invalid frames in ten seconds close a socket as abuse.
    for (const [i, [data, field]] of cases.entries()) {
      const { client } = i % 2 ? high : low;
      client.send('path', data as Record<string, unknown>);
      expect({ field, error: await client.next('error') }).toMatchObject({
        field,
        error: { code: ErrorCode.InvalidMessage, event: 'path', details: expect.arrayContaining([expect.objectContaining({ field })]) },
      });
    }
    expect(counted).toEqual([]);
  });

  it('refuses a report before join, about oneself, or about a peer not in the room', async () => {
    const { low, high } = await pair('who-paths');
    const other = await app.joined('elsewhere', 'Eve');
    const stranger = await app.client();
    stranger.send('path', { peer: low.id, kind: 'relay', ref: 's' });
    expect(await stranger.next('error')).toMatchObject({ code: ErrorCode.NotJoined, ref: 's', event: 'path' });
    low.client.send('path', { peer: low.id, kind: 'relay', ref: 'self' });
    expect(await low.client.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer, ref: 'self' });
    low.client.send('path', { peer: other.id, kind: 'relay', ref: 'other-room' });
    expect(await low.client.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer, ref: 'other-room' });
    low.client.send('path', { peer: 'no-such-peer', kind: 'direct', ref: 'nobody' });
    expect(await low.client.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer, ref: 'nobody' });
    // A peer that left is no longer a link.
    high.client.send('leave', {});
    await low.client.next('peer-left');
    low.client.send('path', { peer: high.id, kind: 'relay', ref: 'gone' });
    expect(await low.client.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer, ref: 'gone' });
    expect(counted).toEqual([]);
  });

  it('is rate-limited like the other events', async () => {
    const { low, high } = await pair('many-paths');
    for (let i = 0; i < 60; i++) low.client.send('path', { peer: high.id, kind: i % 2 ? 'relay' : 'direct' });
    expect(await low.client.next('error')).toMatchObject({ code: ErrorCode.RateLimited, event: 'path' });
    expect([...counted].sort()).toEqual(['direct', 'relay']);
  });
});
