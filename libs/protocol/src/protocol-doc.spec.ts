import { readFileSync } from 'node:fs';
import { CLIENT_EVENTS, CloseCode, ErrorCode, LIMITS, PROTOCOL_VERSION, REACTIONS, SERVER_EVENTS } from './protocol.js';

const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

describe('docs/protocol.md', () => {
  it('names the protocol version', () => {
    expect(doc).toContain(`# Parley signaling protocol, version ${PROTOCOL_VERSION}`);
  });

  it.each([...CLIENT_EVENTS, ...SERVER_EVENTS])('documents the %s event in a table row', (event) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${event}\` \\|`, 'm'));
  });

  it.each(Object.values(ErrorCode))('documents the %s error code', (code) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it.each(Object.values(CloseCode))('documents close code %d', (code) => {
    expect(doc).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });

  it('states the limits the code enforces', () => {
    const numbers = [
      LIMITS.maxFrameBytes,
      LIMITS.maxRefLength,
      LIMITS.maxSdpLength,
      LIMITS.maxCandidateLength,
      LIMITS.maxChatLength,
      LIMITS.chatHistory,
      LIMITS.maxDataEntries,
      LIMITS.maxDataDepth,
      LIMITS.maxDataStringLength,
      LIMITS.maxErrorDetails,
      LIMITS.maxWaiting,
      LIMITS.maxSfuView,
    ];
    for (const n of numbers) expect(doc).toContain(`**${n}**`);
    expect(doc).toContain('1 to 64 characters of `[A-Za-z0-9_-]`');
    expect(doc).toContain(`1 to ${LIMITS.maxNameLength} characters`);
    expect(doc).toContain(REACTIONS.join(' '));
  });
});
