import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '@parley/protocol';
import type { PathDto } from './dto/index.js';
import type { PeerSession } from './peer-session.js';
import { ROOM_STORE, type RoomStore } from './room-store.js';
import { SignalingException } from './signaling.exception.js';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions } from './signaling-options.interface.js';

/** Links one session may have counted: its room's peers over a long call, both paths each. */
const MAX_COUNTED_PER_SESSION = 256;

/**
 * Relay usage from the browsers' own view (Debian's coturn has no metrics exporter): each
 * browser says which way a mesh link's media goes (`path`), and each link counts once per path
 * kind in `icePath`. Both ends of a link report it; only the end with the smaller peer id is
 * counted, so a link counts once even when its two ends sit on different instances.
 */
@Injectable()
export class IcePathsService {
  readonly #counted = new WeakMap<PeerSession, Set<string>>();

  constructor(
    @InjectSignalingOptions() private readonly options: ResolvedSignalingOptions,
    @Inject(ROOM_STORE) private readonly store: RoomStore,
  ) {}

  async report(session: PeerSession, dto: PathDto): Promise<void> {
    const { peerId, room } = session;
    if (!peerId || !room) throw new SignalingException(ErrorCode.NotJoined, 'Join a room first');
    // Only a peer in the room now: a client cannot count links it does not have.
    if (dto.peer === peerId || !(await this.store.get(room, dto.peer))) {
      throw new SignalingException(ErrorCode.UnknownPeer, `No peer ${dto.peer} in this room`);
    }
    if (peerId > dto.peer) return;
    let counted = this.#counted.get(session);
    if (!counted) this.#counted.set(session, (counted = new Set()));
    const link = `${dto.peer} ${dto.kind}`;
    if (counted.has(link) || counted.size >= MAX_COUNTED_PER_SESSION) return;
    counted.add(link);
    this.options.metrics.icePath?.(dto.kind);
  }
}
