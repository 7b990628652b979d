/**
 * The browser specs' `test`: `people` opens a browser context per person and closes them all when
 * the test ends, pass or fail; `room` is a fresh room name for the test.
 */
import { test as base } from '@playwright/test';
import { newPerson, uniqueRoom, type Person, type PersonOptions } from './helpers';

export interface People {
  /** A person in a browser context of their own (a computer of their own), closed after the test. */
  add(name: string, options?: PersonOptions): Promise<Person>;
  /** One person per name, opened together (a tuple of people for a tuple of names). */
  addAll<const Names extends readonly string[]>(names: Names, options?: PersonOptions): Promise<{ -readonly [K in keyof Names]: Person }>;
}

export const test = base.extend<{ people: People; room: string }>({
  people: async ({ browser }, use) => {
    const opened: Person[] = [];
    const add = async (name: string, options?: PersonOptions) => {
      const person = await newPerson(browser, name, options);
      opened.push(person);
      return person;
    };
    const addAll = (names: readonly string[], options?: PersonOptions) => Promise.all(names.map((name) => add(name, options)));
    await use({ add, addAll: addAll as People['addAll'] });
    await Promise.all(opened.map((person) => person.context.close()));
  },
  room: async ({}, use, testInfo) => {
    // Named after the spec file, so a server log shows which spec a room belongs to.
    await use(uniqueRoom(testInfo.titlePath[0]!.replace(/\.spec\.ts$/, '').replace(/[^A-Za-z0-9_-]/g, '-')));
  },
});

export { expect } from '@playwright/test';
