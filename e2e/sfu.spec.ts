/**
 * Rooms through a real Janus (Debian's package, started with deploy/janus/start.sh on free ports):
 * a Parley server with MESH_MAX_PEERS=2 moves a room that grows past two people to the SFU.
 */
import { expect, test, type Browser } from '@playwright/test';
import { janusMissing, startJanus, type JanusProcess } from '../libs/signaling/test/janus-process';
import { appServer, type AppServer } from './app-server';
import { watchRinging } from './call-helpers';
import { joinRoom, newPerson, selfId, uniqueRoom, type Person } from './helpers';
import { Voices } from './voices';
import {
  expectHeardThroughSfu,
  expectScreenSoundThroughSfu,
  expectTilesPlaying,
  expectVideoPaused,
  firstTileFrames,
  instrumentSfu,
  openConnections,
  startTileFrameLog,
  stopTileFrameLog,
} from './sfu-media';

test.skip(!!janusMissing, janusMissing ?? '');

let janus: JanusProcess;
let app: AppServer;
let people: Person[] = [];

test.beforeAll(async () => {
  janus = await startJanus();
  app = appServer(3150, { JANUS_URLS: janus.url, JANUS_API_SECRET: janus.apiSecret, MESH_MAX_PEERS: '2' });
  await app.start();
});

test.afterAll(async () => {
  await app?.stop('SIGTERM');
  await janus?.stop();
});

test.afterEach(async () => {
  await Promise.all(people.map((person) => person.context.close()));
  people = [];
});

async function arrive(browser: Browser, names: string[], room: string, options: { denyMedia?: boolean } = {}): Promise<Person[]> {
  const arrived: Person[] = [];
  for (const name of names) {
    const person = await newPerson(browser, name, { baseURL: app.url, ...options });
    await person.context.addInitScript(instrumentSfu);
    people.push(person);
    arrived.push(person);
    await joinRoom(person, room);
  }
  return arrived;
}

/** Opens the lobby for `name`, then clicks Join: the time of the click, and the person. */
async function muteAll(list: Person[]): Promise<void> {
  for (const person of list) {
    await person.page.keyboard.press('m');
    await expect(person.page.getByRole('button', { name: 'Unmute microphone' })).toBeVisible();
  }
}

async function clickJoin(browser: Browser, name: string, room: string): Promise<[Person, number]> {
  const person = await newPerson(browser, name, { baseURL: app.url });
  await person.context.addInitScript(instrumentSfu);
  people.push(person);
  await person.page.goto(`/r/${room}`);
  await person.page.getByLabel('Your name', { exact: true }).fill(name);
  const at = Date.now();
  await person.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(person.page.getByTestId('local-tile')).toBeVisible();
  return [person, at];
}

async function ids(list: Person[]): Promise<Map<Person, string>> {
  return new Map(await Promise.all(list.map(async (p) => [p, await selfId(p.page)] as const)));
}

test('four people in a room for two: everyone plays the three others through Janus, on two connections, publishing Opus with DTX; one leaves, the rest play on', async ({
  browser,
}) => {
  const room = uniqueRoom('sfu-four');
  const three = await arrive(browser, ['Ada', 'Brian', 'Chidi'], room);
  const threeIds = await ids(three);
  for (const person of three) {
    await expectTilesPlaying(
      person.page,
      [...threeIds].filter(([p]) => p !== person).map(([, id]) => id),
      { timeout: 60_000 },
    );
  }
  await Promise.all(three.map((person) => startTileFrameLog(person.page)));
  const [dora, lastJoin] = await clickJoin(browser, 'Dora', room);
  await startTileFrameLog(dora.page);
  const four = [...three, dora];
  const peerIds = await ids(four);
  for (const person of four) {
    const others = four.filter((p) => p !== person).map((p) => peerIds.get(p)!);
    await expectTilesPlaying(person.page, others, { timeout: 60_000 });
  }
  for (const person of four) {
    expect(await openConnections(person.page), `${person.name}'s open peer connections`).toBeLessThanOrEqual(2);
    // Janus's answer asks each publisher for DTX: a silent microphone sends next to nothing.
    const dtx = await person.page.evaluate(() =>
      window.__pcs.some((pc) => pc.remoteDescription?.type === 'answer' && /^a=fmtp:\d+ [^\r\n]*usedtx=1/m.test(pc.remoteDescription.sdp)),
    );
    expect(dtx, `${person.name}'s publisher asked for Opus DTX`).toBe(true);
  }
  // The newcomer's three tiles, and the newcomer's tile on the three others: the first frame of each.
  const firsts = [
    ...Object.values(await firstTileFrames(dora.page)),
    ...(await Promise.all(three.map((person) => firstTileFrames(person.page)))).map((frames) => frames[peerIds.get(dora)!]!),
  ];
  expect(firsts).toHaveLength(6);
  console.log(`[sfu] the fourth joined: all six new videos showed a frame ${Math.round(Math.max(...firsts) - lastJoin)} ms after the Join click`);

  // One leaves: Janus takes their tracks out of the others' subscriber connection; the rest play on.
  await dora.page.getByRole('button', { name: 'Leave', exact: true }).click();
  for (const person of three) {
    await expectTilesPlaying(
      person.page,
      [...threeIds].filter(([p]) => p !== person).map(([, id]) => id),
    );
  }
});

test('two in a mesh, a third arrives: the room moves to Janus and all three play', async ({ browser }) => {
  const room = uniqueRoom('sfu-switch');
  const [ada, brian] = await arrive(browser, ['Ada', 'Brian'], room);
  const before = await ids([ada!, brian!]);
  await expectTilesPlaying(ada!.page, [before.get(brian!)!], { sfu: false });
  await expectTilesPlaying(brian!.page, [before.get(ada!)!], { sfu: false });
  // The mesh: one connection each, to the other.
  expect(await openConnections(ada!.page)).toBe(1);

  await Promise.all([startTileFrameLog(ada!.page), startTileFrameLog(brian!.page)]);
  const [chidi, joinedAt] = await clickJoin(browser, 'Chidi', room);
  await startTileFrameLog(chidi.page);
  const all = await ids([ada!, brian!, chidi]);
  for (const person of [ada!, brian!, chidi]) {
    const others = [...all].filter(([p]) => p !== person).map(([, id]) => id);
    await expectTilesPlaying(person.page, others, { timeout: 60_000 });
  }
  // The mesh closes once the SFU plays for everyone it carried: publisher and subscriber remain.
  for (const person of [ada!, brian!]) await expect.poll(() => openConnections(person.page), { timeout: 10_000 }).toBe(2);
  const firsts = [
    ...Object.values(await firstTileFrames(chidi.page)),
    ...(await Promise.all([ada!, brian!].map((person) => firstTileFrames(person.page)))).map((frames) => frames[all.get(chidi)!]!),
  ];
  expect(firsts).toHaveLength(4);
  const allPlaying = Math.round(Math.max(...firsts) - joinedAt);
  await ada!.page.waitForTimeout(2000);
  const stalls = await Promise.all([stopTileFrameLog(ada!.page), stopTileFrameLog(brian!.page)]);
  const acrossSwitch = [stalls[0]![before.get(brian!)!]!, stalls[1]![before.get(ada!)!]!];
  console.log(
    `[sfu] the switch: the third's four new videos showed a frame ${allPlaying} ms after the Join click; longest stall of the first two's video`,
    acrossSwitch,
  );
  for (const stall of acrossSwitch) {
    expect(stall.frames).toBeGreaterThan(0);
    expect(stall.longestStallMs).toBeLessThanOrEqual(1000);
  }
});

test('in a room on Janus, quality and speaking are per person, and a screen share plays beside the cameras with its sound', async ({ browser }) => {
  const room = uniqueRoom('sfu-share');
  const three = await arrive(browser, ['Ada', 'Brian', 'Chidi'], room);
  const [ada, brian, chidi] = three as [Person, Person, Person];
  const peerIds = await ids(three);
  for (const person of three) {
    await expectTilesPlaying(
      person.page,
      [...peerIds].filter(([p]) => p !== person).map(([, id]) => id),
      { timeout: 60_000 },
    );
  }
  const tile = (page: Person['page'], name: string) => page.locator(`[data-testid="remote-tile"][data-peer-name="${name}"]`);

  // Quality reads the shared subscriber connection per person: Ada's own video figures on her tile.
  await expect(tile(brian.page, 'Ada').getByTestId('quality')).toHaveAttribute('data-level', /good|fair/);
  await tile(brian.page, 'Ada')
    .getByRole('button', { name: /^Connection to Ada: (Good|Fair)/ })
    .click();
  await expect(tile(brian.page, 'Ada').getByTestId('quality-video')).toHaveText(/^\d+×\d+ · \d+ fps · (VP8|VP9|H264|AV1)$/);

  // Chromium's fake microphones beep: Ada is heard; muted, she is not, while Chidi still is.
  await expect(tile(brian.page, 'Ada')).toHaveAttribute('data-speaking', 'true', { timeout: 20_000 });
  await ada.page.keyboard.press('m');
  await expect(tile(brian.page, 'Ada').getByRole('img', { name: 'Ada is muted' })).toBeVisible();
  await expect(tile(brian.page, 'Ada')).toHaveAttribute('data-speaking', 'false', { timeout: 10_000 });
  await expect(tile(brian.page, 'Chidi')).toHaveAttribute('data-speaking', 'true', { timeout: 20_000 });
  expect(await tile(brian.page, 'Ada').getAttribute('data-speaking')).toBe('false');

  await expect(tile(chidi.page, 'Ada')).toHaveAttribute('data-speaking', 'false', { timeout: 10_000 });
  const rang = await Promise.all([brian, chidi].map((other) => watchRinging(other.page, peerIds.get(ada)!)));
  await ada.page.getByRole('button', { name: 'Share screen' }).click();
  for (const [i, other] of [brian, chidi].entries()) {
    const screen = other.page.locator('[data-testid="screen-tile"][data-peer-name="Ada"] video');
    await expect
      .poll(
        async () => {
          const before = await screen.evaluate((v: HTMLVideoElement) => v.currentTime);
          await other.page.waitForTimeout(500);
          return screen.evaluate((v: HTMLVideoElement, t) => v.videoWidth > 0 && v.currentTime > t, before);
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    // The cameras keep playing, each on its own person's track.
    await expectTilesPlaying(
      other.page,
      [...peerIds].filter(([p]) => p !== other).map(([, id]) => id),
    );
    // The shared screen's sound (Chromium's fake capture beeps) plays beside it, and all the
    // while it was heard it never rang Ada's (muted) tile as her voice.
    await expectScreenSoundThroughSfu(other.page, peerIds.get(ada)!);
    expect(await rang[i]!()).toBe(false);
  }
});

test('in a room on Janus, a person back from being offline keeps both connections, republishes with an ICE restart, and plays', async ({
  browser,
}) => {
  const room = uniqueRoom('sfu-resume');
  const three = await arrive(browser, ['Ada', 'Brian', 'Chidi'], room);
  const [ada] = three as [Person, Person, Person];
  const peerIds = await ids(three);
  const othersOf = (person: Person) => [...peerIds].filter(([p]) => p !== person).map(([, id]) => id);
  for (const person of three) await expectTilesPlaying(person.page, othersOf(person), { timeout: 60_000 });
  const pcsBefore = await ada.page.evaluate(() => window.__pcs.length);
  // The publisher is the open connection that offers (the subscriber answers Janus's offers).
  const publisherUfrag = () =>
    ada.page.evaluate(() => {
      const publisher = window.__pcs.find((pc) => pc.connectionState !== 'closed' && pc.localDescription?.type === 'offer');
      return /a=ice-ufrag:(\S+)/.exec(publisher?.localDescription?.sdp ?? '')?.[1];
    });
  const ufragBefore = await publisherUfrag();
  expect(ufragBefore).toBeTruthy();

  // The client drops its socket when the browser goes offline (see network.spec); the media stays up.
  await ada.context.setOffline(true);
  await expect(ada.page.getByTestId('reconnecting-banner')).toBeVisible({ timeout: 5000 });
  await ada.page.waitForTimeout(2000);
  await ada.context.setOffline(false);
  await expect(ada.page.locator('main.call')).toHaveAttribute('data-connection', 'online', { timeout: 10_000 });
  await expect(ada.page.locator('main.call')).toHaveAttribute('data-self-id', peerIds.get(ada)!);

  // Same two connections; the publisher offered again with new ICE credentials (its network may have changed).
  await expect.poll(publisherUfrag, { timeout: 10_000 }).not.toBe(ufragBefore);
  expect(await ada.page.evaluate(() => window.__pcs.length)).toBe(pcsBefore);
  expect(await openConnections(ada.page)).toBe(2);
  for (const person of three) await expectTilesPlaying(person.page, othersOf(person));
});

test('in a room on Janus, a person without camera and microphone receives everyone and shows as muted', async ({ browser }) => {
  const room = uniqueRoom('sfu-nomedia');
  const two = await arrive(browser, ['Ada', 'Brian'], room);
  const [bea] = await arrive(browser, ['Bea'], room, { denyMedia: true });
  const peerIds = await ids([...two, bea!]);
  await expectTilesPlaying(
    bea!.page,
    two.map((p) => peerIds.get(p)!),
    { timeout: 60_000 },
  );
  for (const person of two) {
    const beaTile = person.page.locator(`[data-testid="remote-tile"][data-peer-id="${peerIds.get(bea!)}"]`);
    await expect(beaTile.getByTestId('mic-off')).toBeVisible();
    await expect(beaTile.getByTestId('cam-off')).toBeVisible();
    // Ada and Brian still play each other; Bea's tile (no video) is the one left out of the check.
    const other = two.find((p) => p !== person)!;
    await expectTilesPlaying(person.page, [peerIds.get(other)!], { timeout: 60_000, besides: [peerIds.get(bea!)!] });
  }
});

test('in a room on Janus, a person whose camera is off from the start is heard by everyone', async ({ browser }) => {
  const room = uniqueRoom('sfu-camoff');
  const two = await arrive(browser, ['Ada', 'Brian'], room);
  const cy = await newPerson(browser, 'Cy', { baseURL: app.url });
  await cy.context.addInitScript(instrumentSfu);
  people.push(cy);
  await cy.page.goto(`/r/${room}`);
  await cy.page.getByRole('button', { name: 'Turn camera off' }).click();
  await cy.page.getByLabel('Your name', { exact: true }).fill('Cy');
  await cy.page.getByRole('button', { name: 'Join', exact: true }).click();
  const peerIds = await ids([...two, cy]);
  for (const person of two) {
    await expect(person.page.locator(`[data-testid="remote-tile"][data-peer-id="${peerIds.get(cy)}"]`).getByTestId('cam-off')).toBeVisible();
    await expectHeardThroughSfu(person.page, peerIds.get(cy)!, { timeout: 60_000 });
  }
});

test('on a small screen a person sees one page of tiles and "+N": the video of people off the page is paused, their audio flows', async ({
  browser,
}) => {
  const room = uniqueRoom('sfu-page');
  const three = await arrive(browser, ['Ada', 'Brian', 'Chidi'], room);
  const [ada, brian, chidi] = three as [Person, Person, Person];
  // Microphones off before Dora arrives (they send silence): she never hears a speaker, so her
  // pages follow arrival order.
  await muteAll(three);
  const dora = await newPerson(browser, 'Dora', { baseURL: app.url });
  await dora.context.addInitScript(instrumentSfu);
  people.push(dora);
  // Room for the local tile and one more: one person, then "+2".
  await dora.page.setViewportSize({ width: 420, height: 640 });
  await joinRoom(dora, room);
  const id = await ids([...three, dora]);

  await expect(dora.page.getByTestId('more-tile')).toHaveText('+2', { timeout: 60_000 });
  await expectTilesPlaying(dora.page, [id.get(ada)!], { timeout: 60_000 });
  await expectVideoPaused(dora.page, [id.get(brian)!, id.get(chidi)!], [id.get(ada)!]);
  // Off the page, people are still played (their audio).
  await expect(dora.page.locator('.off-page audio')).toHaveCount(2);

  // "+2" shows the next page: Brian plays, and Ada's video pauses while her audio still arrives.
  await dora.page.getByTestId('more-tile').click();
  await expectTilesPlaying(dora.page, [id.get(brian)!], { timeout: 30_000 });
  await expectVideoPaused(dora.page, [id.get(ada)!, id.get(chidi)!], [id.get(brian)!]);
  await dora.page.getByTestId('more-tile').click();
  await expectTilesPlaying(dora.page, [id.get(chidi)!], { timeout: 30_000 });
  // The others, on larger screens, still receive everyone.
  await expectTilesPlaying(brian.page, [id.get(ada)!, id.get(chidi)!, id.get(dora)!]);
});

test('on a small screen, a person who speaks from off the page takes its first place, and their video plays there', async ({
  browser,
  playwright,
  launchOptions,
}) => {
  const voices = new Voices();
  // Chidi's microphone speaks (a browser of its own plays a loud voice); the others stay muted.
  const loud = await voices.launch(playwright, launchOptions, 0.7);
  try {
    const room = uniqueRoom('sfu-speaker-page');
    const [ada, brian] = (await arrive(browser, ['Ada', 'Brian'], room)) as [Person, Person];
    const [chidi] = (await arrive(loud, ['Chidi'], room)) as [Person];
    await muteAll([ada, brian, chidi]);
    const dora = await newPerson(browser, 'Dora', { baseURL: app.url });
    await dora.context.addInitScript(instrumentSfu);
    people.push(dora);
    await dora.page.setViewportSize({ width: 420, height: 640 });
    await joinRoom(dora, room);
    const id = await ids([ada, brian, chidi, dora]);
    // Nobody has spoken since Dora came: the page follows arrival order, so Ada is on it and Chidi is not.
    await expect(dora.page.getByTestId('more-tile')).toHaveText('+2', { timeout: 60_000 });
    await expectTilesPlaying(dora.page, [id.get(ada)!], { timeout: 60_000 });
    await expectVideoPaused(dora.page, [id.get(brian)!, id.get(chidi)!], [id.get(ada)!]);

    await chidi.page.getByRole('button', { name: 'Unmute microphone' }).click();
    // Heard off the page, Chidi becomes the speaker and takes the page's place: his video starts,
    // Ada's pauses, and "+2" now holds Ada and Brian.
    await expectTilesPlaying(dora.page, [id.get(chidi)!], { timeout: 30_000 });
    await expectVideoPaused(dora.page, [id.get(ada)!, id.get(brian)!], [id.get(chidi)!]);
    await expect(dora.page.getByTestId('more-tile')).toHaveText('+2');
  } finally {
    await Promise.all(people.map((person) => person.context.close()));
    people = [];
    await loud.close();
    voices.remove();
  }
});
