import type { Page } from '@playwright/test';
import { appServer, type AppServer } from './app-server';
import { expect, test, type People } from './fixtures';
import { joinRoom } from './helpers';
import { expectRemoteVideosPlaying } from './peer-media';
import { startTurnServer, type TurnServer } from './turn-server';

// A relay-only call through a real coturn on loopback, started from the repo's configuration.
// Only this test lets coturn relay to loopback (both browsers are on this machine).
let turn: TurnServer;
let good: AppServer;
let wrongSecret: AppServer;

test.beforeAll(async () => {
  turn = await startTurnServer({ allowLoopbackPeers: true });
  good = appServer(3130, { TURN_URLS: turn.urls.join(','), TURN_SECRET: turn.secret });
  wrongSecret = appServer(3131, { TURN_URLS: turn.urls.join(','), TURN_SECRET: 'not-the-secret' });
  await Promise.all([good.start(), wrongSecret.start()]);
});

test.afterAll(async () => {
  await Promise.all([good.stop(), wrongSecret.stop(), turn.stop()]);
});

test.afterEach(({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) console.log(turn.output().slice(-5000));
});

/** Every peer connection of the page uses relay candidates only, as a network blocking UDP would force. */
function relayOnly() {
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(config: RTCConfiguration = {}) {
      super({ ...config, iceTransportPolicy: 'relay' });
    }
    override setConfiguration(config: RTCConfiguration = {}) {
      super.setConfiguration({ ...config, iceTransportPolicy: 'relay' });
    }
  };
}

async function relayPerson(people: People, name: string, baseURL: string) {
  const person = await people.add(name, { baseURL });
  await person.context.addInitScript(relayOnly);
  return person;
}

/**
 * The candidate types of each connected peer connection's selected pair, as its transport names
 * it: more than one pair can be nominated and succeed (a UDP and a TCP relay allocation), but the
 * transport carries media on one.
 */
function selectedPairs(page: Page) {
  return page.evaluate(async () => {
    const pairs: { local?: string; remote?: string }[] = [];
    for (const pc of window.__pcs.filter((p) => p.connectionState === 'connected')) {
      const stats = await pc.getStats();
      const byId = new Map<string, { candidateType?: string; localCandidateId?: string; remoteCandidateId?: string }>();
      stats.forEach((report: { id: string; candidateType?: string }) => byId.set(report.id, report));
      stats.forEach((report: { type: string; selectedCandidatePairId?: string }) => {
        const pair = report.type === 'transport' && report.selectedCandidatePairId ? byId.get(report.selectedCandidatePairId) : undefined;
        if (pair) pairs.push({ local: byId.get(pair.localCandidateId!)?.candidateType, remote: byId.get(pair.remoteCandidateId!)?.candidateType });
      });
    }
    return pairs;
  });
}

/** One sample of the server's `parley_ice_paths_total` (the browsers' `path` reports). */
async function icePaths(server: AppServer, path: 'direct' | 'relay'): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(text.match(new RegExp(`^parley_ice_paths_total\\{path="${path}"\\} (\\d+)$`, 'm'))?.[1] ?? NaN);
}

test('a relay-only call connects through coturn, on relay candidates at both ends, and video plays', async ({ people, room }) => {
  const [relayedBefore, directBefore] = [await icePaths(good, 'relay'), await icePaths(good, 'direct')];
  const ada = await relayPerson(people, 'Ada', good.url);
  const bob = await relayPerson(people, 'Bob', good.url);
  await joinRoom(ada, room);
  await joinRoom(bob, room);

  await expectRemoteVideosPlaying(ada.page, 1);
  await expectRemoteVideosPlaying(bob.page, 1);
  for (const page of [ada.page, bob.page]) {
    await expect.poll(() => selectedPairs(page)).toEqual([{ local: 'relay', remote: 'relay' }]);
  }
  // Both browsers report the link's path; the server counts the one link once, as relayed.
  await expect.poll(() => icePaths(good, 'relay')).toBe(relayedBefore + 1);
  expect(await icePaths(good, 'direct')).toBe(directBefore);
});

test('with a wrong TURN secret, the call says it could not connect through the relay', async ({ people, room }) => {
  const ada = await relayPerson(people, 'Ada', wrongSecret.url);
  const bob = await relayPerson(people, 'Bob', wrongSecret.url);
  await joinRoom(ada, room);
  await joinRoom(bob, room);

  for (const page of [ada.page, bob.page]) {
    await expect(page.getByTestId('link-failed')).toContainText('could not connect through the relay', { timeout: 45_000 });
  }
  expect(turn.output()).toMatch(/401|Unauthorized|check_stun_auth|cannot find/i);
});
