import { expect, test } from '@playwright/test';

test('"Start a room" opens a new room’s lobby', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Start a room' }).click();
  await expect(page).toHaveURL(/\/r\/[A-Za-z0-9_-]{1,64}$/);
  await expect(page.getByLabel('Your name', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Join', exact: true })).toBeVisible();
});

test('joining by name checks the name', async ({ page }) => {
  await page.goto('/');
  const field = page.getByLabel('Or join a room by name or link');
  await field.fill('not a room!');
  await page.getByRole('button', { name: 'Join room' }).click();
  await expect(page.getByRole('alert')).toContainText('Room names are');
  await expect(page).toHaveURL(/\/$/);

  await field.fill('team_sync-1');
  await page.getByRole('button', { name: 'Join room' }).click();
  await expect(page).toHaveURL(/\/r\/team_sync-1$/);
  await expect(page.getByLabel('Your name', { exact: true })).toBeVisible();
});

test('the lobby remembers the name', async ({ page }) => {
  await page.goto('/r/remember-me');
  await page.getByLabel('Your name', { exact: true }).fill('Grace');
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page.getByTestId('local-tile')).toBeVisible();
  await page.getByRole('button', { name: 'Leave', exact: true }).click();
  await expect(page.getByText('You left the call')).toBeVisible();
  await page.goto('/r/another-room');
  await expect(page.getByLabel('Your name', { exact: true })).toHaveValue('Grace');
});
