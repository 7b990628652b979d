import type { Peer, RoomMode } from '@parley/protocol';

/** Who came and who went between two lists of the others in the call. */
export interface PresenceChanges {
  joined: Peer[];
  left: Peer[];
}

/** Above this many people (you included), join and leave sounds are off unless the person turned them on. */
export const QUIET_ABOVE = 8;

export function presenceChanges(before: readonly Peer[], after: readonly Peer[]): PresenceChanges {
  const was = new Set(before.map((peer) => peer.id));
  const is = new Set(after.map((peer) => peer.id));
  return { joined: after.filter((peer) => !was.has(peer.id)), left: before.filter((peer) => !is.has(peer.id)) };
}

/**
 * Whether someone joining or leaving makes a sound: the person's own choice, or by default only in
 * small rooms, where each arrival matters. In a big meeting (or once it moved to the SFU) the
 * comings and goings would never stop chiming.
 */
export function soundsOn(choice: boolean | null, people: number, mode: RoomMode): boolean {
  return choice ?? (people <= QUIET_ABOVE && mode === 'mesh');
}
