import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { joinRoom } from './helpers';

const chatButton = (page: Page) => page.getByRole('button', { name: /^Chat/ });

async function say(page: Page, text: string) {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

function messages(page: Page) {
  return page.getByTestId('chat-message');
}

test.describe('chat', () => {
  test('three people chat, markup stays text, a link is a link, and a latecomer sees the history', async ({ people, room }) => {
    const trio = await people.addAll(['Ada', 'Brian', 'Chidi']);
    const [ada, brian, chidi] = trio;
    for (const person of trio) await joinRoom(person, room);

    await chatButton(ada.page).click();
    await say(ada.page, 'Hello <b>all</b>, notes at https://example.org/notes');
    await expect(messages(ada.page)).toHaveCount(1);

    // Brian's panel is closed: an unread badge, which opening the panel clears.
    await expect(chatButton(brian.page)).toHaveAccessibleName('Chat, 1 unread');
    await expect(brian.page.getByTestId('unread')).toHaveText('1');
    await chatButton(brian.page).click();
    await expect(brian.page.getByTestId('unread')).toHaveCount(0);
    const first = messages(brian.page).first();
    await expect(first).toContainText('Ada');
    await expect(first.locator('time')).toHaveText(/\d{1,2}.\d{2}/);
    await expect(first.locator('.text')).toHaveText('Hello <b>all</b>, notes at https://example.org/notes');
    await expect(first.locator('b')).toHaveCount(0);
    await expect(first.getByRole('link')).toHaveAttribute('href', 'https://example.org/notes');

    await say(brian.page, 'Hi Ada!');
    await chatButton(chidi.page).click();
    await say(chidi.page, 'Morning both\nsecond line');
    for (const person of trio) {
      await expect(messages(person.page)).toHaveCount(3);
      await expect(messages(person.page).last().locator('.text')).toHaveText('Morning both\nsecond line');
    }
    await expect(messages(chidi.page).last()).toContainText('You');

    const dora = await people.add('Dora');
    await joinRoom(dora, room);
    await expect(chatButton(dora.page)).toHaveAccessibleName('Chat, 3 unread');
    await chatButton(dora.page).click();
    await expect(messages(dora.page)).toHaveCount(3);
    await expect(messages(dora.page).nth(0)).toHaveAttribute('data-from', 'Ada');
    await expect(messages(dora.page).nth(1)).toHaveAttribute('data-from', 'Brian');
    await expect(messages(dora.page).nth(2)).toHaveAttribute('data-from', 'Chidi');
  });

  test('sending too fast is answered politely and the text is kept', async ({ people, room }) => {
    const ada = await people.add('Ada');
    await joinRoom(ada, room);
    await chatButton(ada.page).click();
    const box = ada.page.getByRole('textbox', { name: 'Message' });
    // Six messages within a few milliseconds: the server takes 3 a second.
    await box.evaluate((textarea: HTMLTextAreaElement) => {
      for (let i = 1; i <= 6; i++) {
        textarea.value = `message ${i}`;
        textarea.dispatchEvent(new Event('input', { bubbles: true }));
        textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
      }
    });
    await expect(ada.page.getByTestId('chat-note')).toContainText('you can send a few messages a second');
    // What the server took is shown once; what it refused is back in the box, in order, not lost.
    await expect(messages(ada.page)).toHaveCount(3);
    await expect(messages(ada.page).locator('.text')).toHaveText(['message 1', 'message 2', 'message 3']);
    await expect(box).toHaveValue('message 4\nmessage 5\nmessage 6');
    // Sending the kept text a moment later works.
    await ada.page.waitForTimeout(1100);
    await box.press('Enter');
    await expect(messages(ada.page)).toHaveCount(4);
    await expect(box).toHaveValue('');
  });
});
