/** The SFU adapter on janode: JanusPool drives Janus VideoRooms in Parley's terms. */
export { JanusPool, parseJanusServers, type JanusPoolOptions } from './janus-pool.js';
export { SfuError, SfuErrorKind } from './sfu-errors.js';
export type {
  JanusServerConfig,
  JanusServerTimings,
  SfuCandidate,
  SfuEvents,
  SfuFeedRequest,
  SfuLogger,
  SfuPcRole,
  SfuPublishedStream,
  SfuPublisher,
  SfuRoomAssignment,
  SfuStreamSetting,
  SfuSubscribedStream,
  SfuSubscriberOffer,
} from './sfu.types.js';
