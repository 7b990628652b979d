import { expect, test, type WebSocketRoute } from '@playwright/test';
import { SMALL_ROOMS_URL } from '../playwright.config';
import { closeAll, expectRemoteVideosPlaying, joinRoom, newPerson, remoteTiles, uniqueRoom, type Person } from './helpers';

let people: Person[] = [];

test.afterEach(async () => {
  await closeAll(people);
  people = [];
});

test('a full room says so clearly', async ({ browser }) => {
  // This server's rooms hold two people, so the third is turned away.
  const room = uniqueRoom('full');
  people = await Promise.all(['Ada', 'Brian', 'Chidi'].map((name) => newPerson(browser, name, { baseURL: SMALL_ROOMS_URL })));
  const [ada, brian, chidi] = people as [Person, Person, Person];
  await joinRoom(ada, room);
  await joinRoom(brian, room);

  await chidi.page.goto(`/r/${room}`);
  await chidi.page.getByLabel('Your name', { exact: true }).fill(chidi.name);
  await chidi.page.getByRole('button', { name: 'Join', exact: true }).click();

  await expect(chidi.page.getByRole('alert')).toContainText('This room is full');
  await expect(chidi.page.getByRole('button', { name: 'Try again' })).toBeVisible();
  await expect(chidi.page.getByRole('button', { name: 'Back to home' })).toBeVisible();
  await expect(remoteTiles(ada.page)).toHaveCount(1);
});

test('without camera and microphone, a person is told why, joins anyway and sees the other', async ({ browser }) => {
  const room = uniqueRoom('nomedia');
  const ada = await newPerson(browser, 'Ada');
  const blocked = await newPerson(browser, 'Bea', { denyMedia: true });
  people = [ada, blocked];
  await joinRoom(ada, room);

  await blocked.page.goto(`/r/${room}`);
  await expect(blocked.page.getByRole('alert')).toContainText('blocked');
  await expect(blocked.page.getByRole('alert')).toContainText('You can still join');
  await blocked.page.getByLabel('Your name', { exact: true }).fill(blocked.name);
  await blocked.page.getByRole('button', { name: 'Join', exact: true }).click();

  // Bea is the newcomer, so her offer carries no tracks at all and must still receive Ada.
  await expectRemoteVideosPlaying(blocked.page, 1);
  const beaOnAda = ada.page.locator('[data-testid="remote-tile"][data-peer-name="Bea"]');
  await expect(beaOnAda.getByTestId('mic-off')).toBeVisible();
  await expect(beaOnAda.getByTestId('cam-off')).toBeVisible();
});

test('a person who joined first without media still receives a newcomer', async ({ browser }) => {
  const room = uniqueRoom('nomedia-first');
  const blocked = await newPerson(browser, 'Bea', { denyMedia: true });
  const ada = await newPerson(browser, 'Ada');
  people = [blocked, ada];
  await joinRoom(blocked, room);
  await joinRoom(ada, room);
  await expectRemoteVideosPlaying(blocked.page, 1);
});

test('an unreachable server shows a message, and Try again joins once it is back', async ({ browser }) => {
  const person = await newPerson(browser, 'Ada');
  people = [person];
  let serverUp = false;
  await person.context.routeWebSocket('**/ws', (ws) => {
    if (serverUp) ws.connectToServer();
    else ws.close();
  });
  await person.page.goto(`/r/${uniqueRoom('down')}`);
  await person.page.getByLabel('Your name', { exact: true }).fill('Ada');
  await person.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(person.page.getByRole('alert')).toContainText('Can’t reach the server');

  serverUp = true;
  await person.page.getByRole('button', { name: 'Try again' }).click();
  await expect(person.page.getByTestId('local-tile')).toBeVisible();
  await expect(person.page.getByText('Waiting for others to join… share the link')).toBeVisible();
});

test('a dropped server connection resumes as the same person and the call keeps playing', async ({ browser }) => {
  const room = uniqueRoom('drop');
  const ada = await newPerson(browser, 'Ada');
  const bob = await newPerson(browser, 'Bob');
  people = [ada, bob];
  const connections: WebSocketRoute[] = [];
  await ada.context.routeWebSocket('**/ws', (ws) => {
    connections.push(ws.connectToServer());
  });
  await joinRoom(ada, room);
  await joinRoom(bob, room);
  await expectRemoteVideosPlaying(ada.page, 1);
  const selfId = await ada.page.locator('[data-self-id]').getAttribute('data-self-id');

  connections[0]!.close();
  await expect(ada.page.getByText('Reconnecting…').first()).toBeVisible();
  await expect(ada.page.getByText('Connection to the server lost. Reconnecting…')).toHaveCount(0);

  expect(connections).toHaveLength(2);
  await expect(ada.page.locator('[data-self-id]')).toHaveAttribute('data-self-id', selfId!);
  await expectRemoteVideosPlaying(ada.page, 1);
  await expectRemoteVideosPlaying(bob.page, 1);
  await expect(bob.page.locator(`[data-testid="remote-tile"][data-peer-id="${selfId}"]`)).toHaveCount(1);
});
