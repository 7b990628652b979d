import { recordingFileName } from './recorder-support';

describe(recordingFileName.name, () => {
  it('names the file after the room and when the recording started, in local time', () => {
    expect(recordingFileName('team-sync', new Date(2026, 0, 5, 9, 7))).toBe('parley-team-sync-2026-01-05-0907.webm');
    expect(recordingFileName('r1', new Date(2026, 11, 31, 23, 59))).toBe('parley-r1-2026-12-31-2359.webm');
  });
});
