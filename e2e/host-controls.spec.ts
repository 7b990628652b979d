import type { Page } from '@playwright/test';
import { tileOf } from './call-helpers';
import { expect, test } from './fixtures';
import { joinRoom, remoteTiles, type Person } from './helpers';
import { expectNoAxeViolations } from './axe';
import { expectRemoteVideosPlaying } from './peer-media';

/** Types the name and clicks Join in a locked room: the person waits instead of joining. */
async function knock(person: Person, room: string): Promise<void> {
  await person.page.goto(`/r/${room}`);
  await person.page.getByLabel('Your name', { exact: true }).fill(person.name);
  await person.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(person.page.getByRole('heading', { name: 'Waiting for the host to let you in' })).toBeVisible();
}

async function lockRoom(page: Page): Promise<void> {
  const lock = page.getByRole('button', { name: 'Lock room' });
  await expect(lock).toHaveAttribute('aria-pressed', 'false');
  await lock.click();
  await expect(lock).toHaveAttribute('aria-pressed', 'true');
}

async function openPeople(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'People', exact: true }).click();
  await expect(page.getByTestId('participants')).toBeVisible();
}

/** Init script: keeps the pitch (Hz) of every note Web Audio starts, so a test can tell a knock (660, 880) from a join chime. */
function recordNotes() {
  const w = window as unknown as { __notes: number[] };
  w.__notes = [];
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (this: OscillatorNode, when?: number) {
    w.__notes.push(this.frequency.value);
    return start.call(this, when);
  };
}

const notes = (page: Page) => page.evaluate(() => (window as unknown as { __notes: number[] }).__notes);
const announcement = (page: Page) => page.getByTestId('announcement');
const raiseHand = (page: Page) => page.getByRole('button', { name: 'Raise hand' });

test.describe('host controls', () => {
  test('a locked room keeps the third person waiting until the host admits them; then everyone plays', async ({ people, room }) => {
    const [ada, brian, chidi] = await people.addAll(['Ada', 'Brian', 'Chidi']);
    await ada.context.addInitScript(recordNotes);
    await joinRoom(ada, room);
    await joinRoom(brian, room);
    // Brian's arrival chimes for the host a moment after his tile comes (Awareness's CHIME_AFTER_MS):
    // once it has, every later note is the knock's.
    await expect.poll(() => notes(ada.page)).toEqual([523, 784]);
    // Only the host has the lock.
    await expect(brian.page.getByRole('button', { name: 'Lock room' })).toHaveCount(0);
    await lockRoom(ada.page);
    const beforeKnock = (await notes(ada.page)).length;

    await knock(chidi, room);
    await expect(chidi.page.getByTestId('local-tile')).toHaveCount(0);
    // The host hears the knock: its two rising notes, and nothing else.
    await expect.poll(async () => (await notes(ada.page)).slice(beforeKnock)).toEqual([660, 880]);
    await expect(ada.page.getByRole('button', { name: 'Admit Chidi' })).toBeVisible();
    await expect(ada.page.getByRole('button', { name: 'Deny Chidi' })).toBeVisible();
    await expect(announcement(ada.page)).toHaveText('Chidi is asking to join');
    await expectNoAxeViolations(chidi.page, 'the waiting room');
    await expectNoAxeViolations(ada.page, 'the call with someone knocking');
    // A guest is not asked, and nobody in the room sees the one waiting.
    await expect(brian.page.getByTestId('knocking')).toHaveCount(0);
    for (const person of [ada, brian]) await expect(tileOf(person.page, 'Chidi')).toHaveCount(0);

    await ada.page.getByRole('button', { name: 'Admit Chidi' }).click();
    await expect(chidi.page.getByTestId('local-tile')).toBeVisible();
    await expect(ada.page.getByTestId('knocking')).toHaveCount(0);
    for (const person of [ada, brian, chidi]) await expectRemoteVideosPlaying(person.page, 2);
    // The lock holds: Chidi, a guest, sees it is on but cannot change it.
    await expect(chidi.page.getByRole('button', { name: 'Lock room' })).toHaveCount(0);
  });

  test('a denied person is told why, and their typed name stays text', async ({ people, room }) => {
    const ada = await people.add('Ada');
    const eve = await people.add('<i>Eve</i>');
    await joinRoom(ada, room);
    await lockRoom(ada.page);

    await knock(eve, room);
    const waiter = ada.page.getByTestId('waiter');
    await expect(waiter.locator('.name')).toHaveText('<i>Eve</i>');
    await expect(waiter.locator('i')).toHaveCount(0);
    await ada.page.getByRole('button', { name: 'Deny <i>Eve</i>' }).click();

    await expect(eve.page.getByRole('heading', { name: 'You weren’t let in' })).toBeVisible();
    await expect(eve.page.getByText('A host of this call declined your request to join.')).toBeVisible();
    await expect(ada.page.getByTestId('knocking')).toHaveCount(0);
  });

  test('the waiting person can leave, and the host no longer sees them', async ({ people, room }) => {
    const [ada, cy] = await people.addAll(['Ada', 'Cy']);
    await joinRoom(ada, room);
    await lockRoom(ada.page);
    await knock(cy, room);
    await expect(ada.page.getByRole('button', { name: 'Admit Cy' })).toBeVisible();
    await cy.page.getByRole('button', { name: 'Leave', exact: true }).click();
    await expect(cy.page.getByRole('heading', { name: 'You left the call' })).toBeVisible();
    await expect(ada.page.getByTestId('knocking')).toHaveCount(0);
  });

  test('a removed person is told so, and one removed while offline cannot resume', async ({ people, room }) => {
    const [ada, brian, chidi] = await people.addAll(['Ada', 'Brian', 'Chidi']);
    for (const person of [ada, brian, chidi]) await joinRoom(person, room);
    await expectRemoteVideosPlaying(ada.page, 2);
    await openPeople(ada.page);

    await ada.page.getByRole('button', { name: 'Remove Chidi' }).click();
    await expect(chidi.page.getByRole('heading', { name: 'You were removed from the call' })).toBeVisible();
    await expect(chidi.page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
    for (const person of [ada, brian]) await expect(tileOf(person.page, 'Chidi')).toHaveCount(0);

    // Brian's socket drops (see network.spec: the client drops it on `offline`); the host removes
    // him meanwhile; when he is back online his resume is refused, and he does not come back as new.
    await brian.context.setOffline(true);
    await expect(tileOf(ada.page, 'Brian')).toHaveAttribute('data-connection', 'reconnecting');
    await ada.page.getByRole('button', { name: 'Remove Brian' }).click();
    await expect(tileOf(ada.page, 'Brian')).toHaveCount(0);
    await brian.context.setOffline(false);
    await expect(brian.page.getByRole('heading', { name: 'You were removed from the call' })).toBeVisible();
    await ada.page.waitForTimeout(1500);
    await expect(remoteTiles(ada.page)).toHaveCount(0);
    await expect(ada.page.getByTestId('participant')).toHaveCount(1);
  });

  test('the host mutes someone; they see who did, and only they can unmute', async ({ people, room }) => {
    const [ada, brian] = await people.addAll(['Ada', 'Brian']);
    await joinRoom(ada, room);
    await joinRoom(brian, room);
    for (const person of [ada, brian]) await expectRemoteVideosPlaying(person.page, 1);
    await openPeople(ada.page);
    await expect(tileOf(ada.page, 'Brian').getByTestId('mic-off')).toHaveCount(0);

    await ada.page.getByRole('button', { name: 'Mute Brian' }).click();
    await expect(brian.page.getByRole('status').filter({ hasText: 'Ada muted your microphone' })).toBeVisible();
    await expect(brian.page.getByRole('button', { name: 'Unmute microphone' })).toBeVisible();
    await expect(tileOf(ada.page, 'Brian').getByTestId('mic-off')).toBeVisible();
    // No one can turn someone else's microphone on.
    await expect(ada.page.getByRole('button', { name: /Unmute Brian/ })).toHaveCount(0);
    await expect(ada.page.getByRole('button', { name: 'Mute Brian' })).toHaveCount(0);

    await brian.page.getByRole('button', { name: 'Unmute microphone' }).click();
    await expect(tileOf(ada.page, 'Brian').getByTestId('mic-off')).toHaveCount(0);
  });

  test('the host hands the role on: the new host gets the host controls, the old one loses them', async ({ people, room }) => {
    const [ada, brian] = await people.addAll(['Ada', 'Brian']);
    await joinRoom(ada, room);
    await joinRoom(brian, room);
    await expectRemoteVideosPlaying(ada.page, 1);
    await openPeople(ada.page);
    await expect(brian.page.getByRole('button', { name: 'Lock room' })).toHaveCount(0);

    await ada.page.getByRole('button', { name: 'Make Brian host' }).click();
    // Brian has the lock and the actions on Ada; Ada has neither, and both lists say who hosts.
    await expect(brian.page.getByRole('button', { name: 'Lock room' })).toBeVisible();
    await expect(ada.page.getByRole('button', { name: 'Lock room' })).toHaveCount(0);
    await expect(ada.page.getByTestId('participants').getByRole('button')).toHaveAccessibleName('Close people');
    await expect(ada.page.locator('[data-testid="participant"][data-name="Brian"] .host')).toHaveText('host');
    await expect(ada.page.locator('[data-testid="participant"]').first().locator('.host')).toHaveCount(0);
    await openPeople(brian.page);
    await expect(brian.page.getByRole('button', { name: 'Remove Ada' })).toBeVisible();
    await expect(brian.page.getByRole('button', { name: 'Make Ada host' })).toBeVisible();

    // The role works: the new host locks the room, and a newcomer knocks at his door.
    await lockRoom(brian.page);
    const chidi = await people.add('Chidi', { denyMedia: true });
    await knock(chidi, room);
    await expect(brian.page.getByRole('button', { name: 'Admit Chidi' })).toBeVisible();
    await expect(ada.page.getByTestId('knocking')).toHaveCount(0);
  });
});

test.describe('hands and reactions', () => {
  test('raised hands show in order on tiles and in the list, and the host lowers one', async ({ people, room }) => {
    const [ada, brian, chidi] = await people.addAll(['Ada', 'Brian', 'Chidi']);
    for (const person of [ada, brian, chidi]) await joinRoom(person, room);
    for (const person of [ada, brian, chidi]) await expectRemoteVideosPlaying(person.page, 2);

    await raiseHand(chidi.page).click();
    await expect(raiseHand(chidi.page)).toHaveAttribute('aria-pressed', 'true');
    await expect(tileOf(ada.page, 'Chidi').getByTestId('tile-hand')).toHaveText('1');
    await raiseHand(brian.page).click();
    for (const page of [ada.page, chidi.page]) await expect(tileOf(page, 'Brian').getByTestId('tile-hand')).toHaveText('2');
    await expect(brian.page.getByTestId('local-tile').getByTestId('tile-hand')).toHaveText('2');
    await expect(tileOf(ada.page, 'Brian').getByTestId('tile-hand')).toHaveAccessibleName('Brian’s hand is raised, number 2');

    await openPeople(ada.page);
    await expect(ada.page.getByTestId('participant')).toHaveCount(3);
    await ada.page.getByRole('button', { name: 'Reactions' }).click();
    await expectNoAxeViolations(ada.page, 'the host’s people list with hands up, and the reactions');
    await ada.page.getByRole('button', { name: 'Reactions' }).click();
    const listed = ada.page.getByTestId('participant');
    await expect(listed.nth(0)).toHaveAttribute('data-name', 'Chidi');
    await expect(listed.nth(0)).toHaveAttribute('data-hand', '1');
    await expect(listed.nth(1)).toHaveAttribute('data-name', 'Brian');
    await expect(listed.nth(1)).toHaveAttribute('data-hand', '2');

    await ada.page.getByRole('button', { name: 'Lower Chidi’s hand' }).click();
    await expect(raiseHand(chidi.page)).toHaveAttribute('aria-pressed', 'false');
    await expect(tileOf(brian.page, 'Chidi').getByTestId('tile-hand')).toHaveCount(0);
    await expect(tileOf(chidi.page, 'Brian').getByTestId('tile-hand')).toHaveText('1');
    await expect(listed.nth(0)).toHaveAttribute('data-name', 'Brian');
  });

  test('a reaction floats over the sender’s tile for everyone and is announced', async ({ people, room }) => {
    const [ada, brian] = await people.addAll(['Ada', 'Brian']);
    await joinRoom(ada, room);
    await joinRoom(brian, room);
    for (const person of [ada, brian]) await expectRemoteVideosPlaying(person.page, 1);

    await brian.page.getByRole('button', { name: 'Reactions' }).click();
    await brian.page.getByRole('button', { name: 'React 🎉' }).click();
    await expect(tileOf(ada.page, 'Brian').getByTestId('tile-reaction')).toHaveText('🎉');
    await expect(brian.page.getByTestId('local-tile').getByTestId('tile-reaction')).toHaveText('🎉');
    await expect(announcement(ada.page)).toHaveText('Brian reacted 🎉');
  });
});
