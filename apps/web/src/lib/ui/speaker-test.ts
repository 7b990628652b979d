import { m } from '../../paraglide/messages.js';
import { playNotes, SPEAKER_TEST } from './tones';

/**
 * The lobby's "Test speakers": a few notes through the chosen speaker. Loaded when pressed,
 * outside the first download. Resolves with how long the audio element played (s), and a sentence
 * when nothing could play.
 */
export async function testSpeakers(speaker: string | undefined): Promise<{ played: number; problem: string | null }> {
  const played = await playNotes(SPEAKER_TEST, speaker);
  return { played, problem: played > 0 ? null : m.speakers_test_failed() };
}
