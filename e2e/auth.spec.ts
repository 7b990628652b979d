import { SignJWT } from 'jose';
import { appServer } from './app-server';
import { expect, test } from './fixtures';
import { expectRemoteVideosPlaying } from './peer-media';

// A server whose rooms need a room token (AUTH_SECRET); the host page hands it over in the link.
const SECRET = 'e2e-room-token-secret';
const server = appServer(3140, { AUTH_SECRET: SECRET });

test.beforeAll(() => server.start());
test.afterAll(() => server.stop());

function roomToken(room: string, name: string): Promise<string> {
  return new SignJWT({ room, name }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));
}

test('a link with a room token joins, and the token leaves the address bar', async ({ people, room }) => {
  const pair = await people.addAll(['Ada', 'Bob'], { baseURL: server.url });
  for (const person of pair) {
    await person.page.goto(`/r/${room}#token=${await roomToken(room, `${person.name} (verified)`)}`);
    expect(new URL(person.page.url()).hash).toBe('');
  }
  // Not joinRoom: that would load the page again, and the token is only in the first load's link.
  for (const person of pair) {
    await person.page.getByLabel('Your name', { exact: true }).fill(person.name);
    await person.page.getByRole('button', { name: 'Join', exact: true }).click();
  }
  for (const person of pair) await expectRemoteVideosPlaying(person.page, 1);
  await expect(pair[0].page.getByTestId('remote-tile')).toHaveAttribute('data-peer-name', 'Bob (verified)');
});

test('without a token the person is told they are not allowed', async ({ people, room }) => {
  const eve = await people.add('Eve', { baseURL: server.url });
  await eve.page.goto(`/r/${room}`);
  await eve.page.getByLabel('Your name', { exact: true }).fill(eve.name);
  await eve.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(eve.page.getByText('You are not allowed to join this room.')).toBeVisible();
});
