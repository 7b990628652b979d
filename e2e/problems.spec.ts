import type { WebSocketRoute } from '@playwright/test';
import { SMALL_ROOMS_URL } from '../playwright.config';
import { expect, test } from './fixtures';
import { joinRoom, remoteTiles } from './helpers';
import { expectRemoteVideosPlaying } from './peer-media';

test('a full room says so clearly', async ({ people, room }) => {
  // This server's rooms hold two people, so the third is turned away.
  const [ada, brian, chidi] = await people.addAll(['Ada', 'Brian', 'Chidi'], { baseURL: SMALL_ROOMS_URL });
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

test('without camera and microphone, a person is told why, joins anyway and sees the other', async ({ people, room }) => {
  const ada = await people.add('Ada');
  const blocked = await people.add('Bea', { denyMedia: true });
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

test('a person who joined first without media still receives a newcomer', async ({ people, room }) => {
  const blocked = await people.add('Bea', { denyMedia: true });
  const ada = await people.add('Ada');
  await joinRoom(blocked, room);
  await joinRoom(ada, room);
  await expectRemoteVideosPlaying(blocked.page, 1);
});

test('an unreachable server shows a message, and Try again joins once it is back', async ({ people, room }) => {
  const person = await people.add('Ada');
  let serverUp = false;
  await person.context.routeWebSocket('**/ws', (ws) => {
    if (serverUp) ws.connectToServer();
    else ws.close();
  });
  await person.page.goto(`/r/${room}`);
  await person.page.getByLabel('Your name', { exact: true }).fill('Ada');
  await person.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(person.page.getByRole('alert')).toContainText('Can’t reach the server');

  serverUp = true;
  await person.page.getByRole('button', { name: 'Try again' }).click();
  await expect(person.page.getByTestId('local-tile')).toBeVisible();
  await expect(person.page.getByText('Waiting for others to join… share the link')).toBeVisible();
});

test('a dropped server connection resumes as the same person and the call keeps playing', async ({ people, room }) => {
  const [ada, bob] = await people.addAll(['Ada', 'Bob']);
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
