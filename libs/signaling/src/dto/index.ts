export { ChatDto } from './chat.dto.js';
export { JoinDto } from './join.dto.js';
export { LeaveDto } from './leave.dto.js';
export { MediaDto } from './media.dto.js';
export { IceCandidateDto, SessionDescriptionDto, SignalDto } from './signal.dto.js';
export { SfuAnswerDto } from './sfu-answer.dto.js';
export { SfuCandidateDto } from './sfu-candidate.dto.js';
export { SfuPublishDto } from './sfu-publish.dto.js';
export { PathDto } from './path.dto.js';
