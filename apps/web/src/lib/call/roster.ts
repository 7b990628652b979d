import type { Peer } from '@parley/protocol';
import type { LinkFailure } from '../rtc/media-transport';

/** Someone else in the call, as the tiles show them. */
export interface RemoteParticipant {
  peer: Peer;
  stream: MediaStream | null;
  /** Their screen share, shown while `peer.media.screen` is on. */
  screen: MediaStream | null;
  link: RTCPeerConnectionState;
  /**
   * Their media could not connect even after an ICE restart: `relay` when it could only go through
   * a TURN relay, `network` otherwise.
   */
  linkFailure: LinkFailure | null;
}

export interface RosterOptions {
  /** Someone changed: the new list, in the order people arrived. */
  onchange(participants: readonly RemoteParticipant[]): void;
  /** A missing peer's grace window ran out: they are gone. */
  onexpired(peerId: string): void;
}

/**
 * Who else is in the call: each peer with their media and connection state, in arrival order.
 * After a server restart a peer may be missing for a while; the roster keeps them, shown as
 * reconnecting, until the server's grace window for them runs out.
 */
export class Roster {
  #list: readonly RemoteParticipant[] = [];
  #selfId: string | null = null;
  readonly #missing = new Map<string, ReturnType<typeof setTimeout>>();
  /** Media that arrived before the server told us about its sender (an offer can overtake `peer-joined`). */
  readonly #early = new Map<string, Partial<Omit<RemoteParticipant, 'peer'>>>();
  readonly #options: RosterOptions;

  constructor(options: RosterOptions) {
    this.#options = options;
  }

  get list(): readonly RemoteParticipant[] {
    return this.#list;
  }

  has(peerId: string): boolean {
    return this.#list.some((r) => r.peer.id === peerId);
  }

  /** Whether a peer is kept only until their grace window runs out. */
  isMissing(peerId: string): boolean {
    return this.#missing.has(peerId);
  }

  /** A fresh start as `selfId` with the peers the server listed. */
  reset(selfId: string | null, peers: readonly Peer[] = []): void {
    this.#clearMissing();
    this.#early.clear();
    this.#selfId = selfId;
    this.#set(peers.filter((peer) => peer.id !== selfId).map(fresh));
  }

  /** A peer arrived or changed; a missing one is back. */
  upsert(peer: Peer): void {
    if (peer.id === this.#selfId) return;
    this.#found(peer.id);
    if (this.has(peer.id)) {
      this.patch(peer.id, { peer });
      return;
    }
    const early = this.#early.get(peer.id);
    this.#early.delete(peer.id);
    this.#set([...this.#list, { ...fresh(peer), ...early }]);
  }

  /** Updates a peer's media or link; for someone not listed yet, it is kept until they are. */
  patch(peerId: string, change: Partial<Omit<RemoteParticipant, 'peer'>> & { peer?: Peer }): void {
    if (!this.has(peerId)) {
      const { peer: _peer, ...media } = change;
      if (peerId !== this.#selfId) this.#early.set(peerId, { ...this.#early.get(peerId), ...media });
      return;
    }
    this.#set(this.#list.map((r) => (r.peer.id === peerId ? { ...r, ...change } : r)));
  }

  /** Returns whether the peer was there. */
  remove(peerId: string): boolean {
    this.#found(peerId);
    this.#early.delete(peerId);
    if (!this.has(peerId)) return false;
    this.#set(this.#list.filter((r) => r.peer.id !== peerId));
    return true;
  }

  /**
   * Back in the room after a lost connection, with the server's list of peers. `complete` (the
   * server still held us): anyone not listed left while we were away, and is returned so their
   * media can end. Otherwise (the server rebuilt us from a token, after a restart) an unlisted peer
   * may be on their way back: they stay, shown as reconnecting, for `graceMs`.
   */
  resume(peers: readonly Peer[], { complete, graceMs }: { complete: boolean; graceMs: number }): string[] {
    for (const peer of peers) this.upsert(peer);
    const listed = new Set(peers.map((peer) => peer.id));
    const gone: string[] = [];
    for (const { peer } of this.#list) {
      if (listed.has(peer.id) || this.#missing.has(peer.id)) continue;
      if (complete) {
        gone.push(peer.id);
        continue;
      }
      this.patch(peer.id, { peer: { ...peer, connection: 'reconnecting' } });
      this.#missing.set(
        peer.id,
        setTimeout(() => {
          this.#missing.delete(peer.id);
          this.#options.onexpired(peer.id);
        }, graceMs),
      );
    }
    for (const id of gone) this.remove(id);
    return gone;
  }

  /** Stops every grace timer and forgets everyone. */
  clear(): void {
    this.reset(null);
  }

  #found(peerId: string): void {
    clearTimeout(this.#missing.get(peerId));
    this.#missing.delete(peerId);
  }

  #clearMissing(): void {
    for (const timer of this.#missing.values()) clearTimeout(timer);
    this.#missing.clear();
  }

  #set(list: readonly RemoteParticipant[]): void {
    if (list.length === 0 && this.#list.length === 0) return;
    this.#list = list;
    this.#options.onchange(list);
  }
}

function fresh(peer: Peer): RemoteParticipant {
  return { peer, stream: null, screen: null, link: 'new', linkFailure: null };
}
