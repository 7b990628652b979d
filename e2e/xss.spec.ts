import { expect, test } from './fixtures';
import { joinRoom, remoteTiles } from './helpers';

const PAYLOAD = '<img src=x onerror=alert(1)>';

declare global {
  interface Window {
    __ran: number;
  }
}

/**
 * Anything a payload could run ends up here: alert, or an element a payload would inject (the
 * page's own scripts, parsed before the observer starts, and module scripts with a src, are not).
 */
function watchForScripts() {
  window.__ran = 0;
  window.alert = () => void window.__ran++;
  const injected = 'img[src="x"], script:not([src])';
  document.addEventListener('DOMContentLoaded', () =>
    new MutationObserver((changes) => {
      for (const change of changes) {
        change.addedNodes.forEach((node) => {
          if (node instanceof Element && (node.matches(injected) || node.querySelector(injected))) window.__ran++;
        });
      }
    }).observe(document, { childList: true, subtree: true }),
  );
}

test('a name and a chat message made of markup show as literal text, and nothing runs', async ({ people, room }) => {
  const mallory = await people.add(PAYLOAD.slice(0, 40));
  const ada = await people.add('Ada');
  const dialogs: string[] = [];
  for (const { context, page } of [mallory, ada]) {
    await context.addInitScript(watchForScripts);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }
  await joinRoom(mallory, room);
  await joinRoom(ada, room);

  await expect(remoteTiles(ada.page)).toHaveCount(1);
  await expect(remoteTiles(ada.page).first()).toContainText(PAYLOAD.slice(0, 40));

  await mallory.page.getByRole('button', { name: /^Chat/ }).click();
  const box = mallory.page.getByRole('textbox', { name: 'Message' });
  await box.fill(`${PAYLOAD} <script>alert(2)</script>`);
  await box.press('Enter');

  await ada.page.getByRole('button', { name: /^Chat/ }).click();
  const message = ada.page.getByTestId('chat-message').first();
  await expect(message.locator('.text')).toHaveText(`${PAYLOAD} <script>alert(2)</script>`);
  await expect(message).toContainText(PAYLOAD.slice(0, 40));

  await ada.page.waitForTimeout(500);
  for (const { page } of [mallory, ada]) {
    expect(await page.evaluate(() => window.__ran)).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
  }
  expect(dialogs).toEqual([]);
});
