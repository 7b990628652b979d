/**
 * The person's choice about join and leave sounds, remembered in this browser: on, off, or not
 * chosen (then `soundsOn` decides by the room's size).
 */
import type { RoomMode } from '@parley/protocol';
import { readStored, writeStored } from '../stored';
import { soundsOn } from './presence';

const KEY = 'parley.joinSounds';

function saved(): boolean | null {
  const value = readStored(KEY);
  return value === 'on' ? true : value === 'off' ? false : null;
}

let choice = $state<boolean | null>(saved());

export const joinSounds = {
  /** Whether they play in a room of `people` (you included) whose media flows through `mode`. */
  on(people: number, mode: RoomMode): boolean {
    return soundsOn(choice, people, mode);
  },
  set(on: boolean): void {
    choice = on;
    writeStored(KEY, on ? 'on' : 'off');
  },
};
