import type { Page } from '@playwright/test';
import { appServer, type AppServer } from './app-server';
import { expect, test } from './fixtures';
import { freePort, startTurnServer, type TurnServer } from './turn-server';

async function check(page: Page) {
  await page.getByRole('button', { name: 'Check my connection' }).click();
  await expect(page.getByTestId('doctor-verdict')).toBeVisible({ timeout: 45_000 });
}

const status = (page: Page, id: string) => page.locator(`[data-testid="doctor-check"][data-check="${id}"]`);

test.describe('connectivity check in the lobby', () => {
  test('reports the devices, the server and a direct path', async ({ people, room }) => {
    const { page } = await people.add('Ada');
    await page.goto(`/r/${room}`);
    await check(page);
    await expect(status(page, 'devices')).toHaveAttribute('data-status', 'ok');
    await expect(status(page, 'signaling')).toHaveAttribute('data-status', 'ok');
    await expect(status(page, 'direct')).toHaveAttribute('data-status', 'ok');
    await expect(status(page, 'direct')).toContainText('Works');
    // This server has no TURN configured.
    await expect(status(page, 'relay-udp')).toHaveAttribute('data-status', 'skipped');
    await expect(page.getByTestId('doctor-verdict')).toHaveText('Calls will work, directly between browsers.');
  });

  test.describe('with a local coturn', () => {
    let turn: TurnServer;
    let app: AppServer;

    test.beforeAll(async () => {
      turn = await startTurnServer({ allowLoopbackPeers: true });
      app = appServer(await freePort(), { TURN_URLS: turn.urls.join(','), TURN_SECRET: turn.secret });
      await app.start();
    });

    test.afterAll(async () => {
      await app?.stop();
      await turn?.stop();
    });

    test('also reports relay working, over UDP and TCP', async ({ people, room }) => {
      const { page } = await people.add('Ada', { baseURL: app.url });
      await page.goto(`/r/${room}`);
      await check(page);
      await expect(status(page, 'direct')).toHaveAttribute('data-status', 'ok');
      await expect(status(page, 'relay-udp')).toHaveAttribute('data-status', 'ok');
      await expect(status(page, 'relay-tcp')).toHaveAttribute('data-status', 'ok');
      await expect(page.getByTestId('doctor-verdict')).toHaveText('Calls will work, directly between browsers, with a relay (TURN) as a fallback.');
    });
  });
});
