import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe';
import { expect, test } from './fixtures';
import { joinRoom } from './helpers';
import { expectRemoteVideosPlaying } from './peer-media';
import { webmTracks } from './webm';

/** What a browser makes of a recording: its metadata, the whole file played, its audio decoded. */
interface RecordingFacts {
  duration: number;
  width: number;
  height: number;
  endedAt: number;
  frames: number;
  videoBytes: number;
  audioBytes: number;
  /** Spread of the last frame's brightness: a picture, not a flat fill. */
  pictureSpread: number;
  audioPeak: number;
}

/** Loads the file into a <video> of the page, plays it to the end (at 8×), and decodes its audio. */
function inspectRecording(page: Page, file: Buffer): Promise<RecordingFacts> {
  return page.evaluate(async (base64): Promise<RecordingFacts> => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const video = document.createElement('video') as HTMLVideoElement & { webkitVideoDecodedByteCount: number; webkitAudioDecodedByteCount: number };
    video.muted = true;
    video.src = URL.createObjectURL(new Blob([bytes], { type: 'video/webm' }));
    /** Waits for one step, failing with its name rather than at the test's timeout. */
    const step = <T>(what: string, work: Promise<T>) =>
      Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in 30 s`)), 30_000))]);
    await step(
      'metadata',
      new Promise<void>((resolve, reject) => {
        video.onloadedmetadata = () => resolve();
        video.onerror = () => reject(new Error(`not playable: ${video.error?.message}`));
      }),
    );
    const duration = video.duration;
    video.playbackRate = 8;
    await step('play', video.play());
    await step(
      `playing to the end (at ${video.currentTime} s of ${duration})`,
      new Promise<void>((resolve, reject) => {
        video.onended = () => resolve();
        video.onerror = () => reject(new Error(`playback failed: ${video.error?.message}`));
      }),
    );
    const canvas = document.createElement('canvas');
    canvas.width = 160;
    canvas.height = 90;
    const context = canvas.getContext('2d')!;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const light: number[] = [];
    for (let i = 0; i < pixels.length; i += 4) light.push(0.2126 * pixels[i]! + 0.7152 * pixels[i + 1]! + 0.0722 * pixels[i + 2]!);
    const mean = light.reduce((a, b) => a + b, 0) / light.length;
    const pictureSpread = Math.sqrt(light.reduce((sum, l) => sum + (l - mean) ** 2, 0) / light.length);
    const audio = await step('decoding the audio', new AudioContext().decodeAudioData(bytes.slice().buffer));
    const samples = audio.getChannelData(0);
    let audioPeak = 0;
    for (const sample of samples) audioPeak = Math.max(audioPeak, Math.abs(sample));
    return {
      duration,
      width: video.videoWidth,
      height: video.videoHeight,
      endedAt: video.currentTime,
      frames: video.getVideoPlaybackQuality().totalVideoFrames,
      videoBytes: video.webkitVideoDecodedByteCount,
      audioBytes: video.webkitAudioDecodedByteCount,
      pictureSpread,
      audioPeak,
    };
  }, file.toString('base64'));
}

const banner = (page: Page) => page.getByTestId('recording-banner');
/** The call's live region, which screen readers read out. */
const announcement = (page: Page) => page.getByTestId('announcement');

test.describe('local recording', () => {
  test('everyone is told who records (a newcomer on arriving), and Stop saves a playable WebM with picture and sound of the recorded length', async ({
    people,
    room,
  }) => {
    // Three browsers and a 720p encoder on a small shared machine: more than the default time.
    test.setTimeout(180_000);
    const [ada, brian] = await people.addAll(['Ada', 'Brian']);
    await joinRoom(ada, room);
    await joinRoom(brian, room);
    for (const person of [ada, brian]) await expectRemoteVideosPlaying(person.page, 1);
    await expect(banner(brian.page)).toHaveCount(0);

    // The recording starts between the click on Record and "Stop recording" appearing, and ends
    // between the click on it and the download: its length lies within those bounds.
    const clickedRecord = Date.now();
    await ada.page.getByRole('button', { name: 'Record', exact: true }).click();
    const stop = ada.page.getByRole('button', { name: 'Stop recording', exact: true });
    await expect(stop).toBeEnabled();
    const started = Date.now();
    await expect(ada.page.getByRole('button', { name: 'Record', exact: true })).toHaveCount(0);

    // Told by the server: the others see who records, and screen readers say it.
    await expect(banner(brian.page)).toHaveText('Ada is recording');
    await expect(announcement(brian.page)).toHaveText('Ada is recording');
    await expect(banner(ada.page)).toHaveText('You are recording');
    // Someone who joins mid-recording is told on arriving (here without camera or microphone, which
    // keeps the load of three browsers down).
    const chidi = await people.add('Chidi', { denyMedia: true });
    await joinRoom(chidi, room);
    await expect(banner(chidi.page)).toHaveText('Ada is recording');
    await expect(announcement(chidi.page)).toHaveText('Ada is recording');
    await expectNoAxeViolations(brian.page, 'the call with someone recording');

    // Record for 4 seconds at least (on a loaded machine the steps above may take longer).
    await ada.page.waitForTimeout(Math.max(0, 4000 - (Date.now() - started)));
    const download = ada.page.waitForEvent('download');
    const clickedStop = Date.now();
    await stop.click();
    const saved = await download;
    const recorded = { atLeast: (clickedStop - started) / 1000, atMost: (Date.now() - clickedRecord) / 1000 };
    expect(saved.suggestedFilename()).toMatch(new RegExp(`^parley-${room}-\\d{4}-\\d{2}-\\d{2}-\\d{4}\\.webm$`));
    const file = await readFile((await saved.path())!);
    expect(file.length).toBeGreaterThan(10_000);
    const tracks = webmTracks(file);
    expect(tracks.map((t) => t.codec).sort()).toEqual(['A_OPUS', expect.stringMatching(/^V_VP[89]$/)]);

    for (const person of [brian, chidi]) {
      await expect(banner(person.page)).toHaveCount(0);
      await expect(announcement(person.page)).toHaveText('Recording stopped');
    }
    await expect(ada.page.getByRole('button', { name: 'Record', exact: true })).toBeEnabled();

    // The file is examined in a page with no call running, as someone would open it afterwards.
    await Promise.all([brian.context.close(), chidi.context.close()]);
    await ada.page.getByRole('button', { name: 'Leave', exact: true }).click();
    const facts = await inspectRecording(ada.page, file);
    expect(Number.isFinite(facts.duration)).toBe(true);
    expect(facts.duration, JSON.stringify(recorded)).toBeGreaterThanOrEqual(recorded.atLeast - 1);
    expect(facts.duration, JSON.stringify(recorded)).toBeLessThanOrEqual(recorded.atMost + 1);
    expect({ width: facts.width, height: facts.height }).toEqual({ width: 1280, height: 720 });
    // Played to its end: video frames and audio decoded all the way.
    expect(Math.abs(facts.endedAt - facts.duration)).toBeLessThanOrEqual(0.5);
    // Moving pictures, not a still: 15 frames a second are drawn, but an encoder short of CPU (a
    // loaded test machine) may keep only a few of them.
    expect(facts.frames).toBeGreaterThan(10);
    expect(facts.videoBytes).toBeGreaterThan(0);
    expect(facts.audioBytes).toBeGreaterThan(0);
    expect(facts.pictureSpread).toBeGreaterThan(10);
    // The stated duration is the recording's own length: its sound runs to the end of it (the
    // video may stop short when the encoder fell behind on a loaded machine).
    const audio = tracks.find((t) => t.codec === 'A_OPUS')!;
    expect(Math.abs(audio.lastSeconds - facts.duration)).toBeLessThanOrEqual(1);
    expect(tracks.find((t) => t.codec !== 'A_OPUS')!.blocks).toBeGreaterThan(10);
    // The fake microphones beep: the mix is not silence.
    expect(facts.audioPeak).toBeGreaterThan(0.05);
  });
});
