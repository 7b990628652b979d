/**
 * Records the call in this browser, as it looks and sounds: the tiles drawn onto a canvas (cameras
 * in a grid, a shared screen large), every voice mixed with WebAudio, both through MediaRecorder into
 * WebM. Loaded only when someone presses "Record". Nothing is uploaded: `stop()` returns the file.
 */
import { recordingLayout, type Rect } from './recorder-layout';
import { recordingMimeType } from './recorder-support';
import { fixWebmDuration } from './recorder-webm';

/** One tile of the recording. */
export interface RecordedTile {
  id: string;
  name: string;
  /** Their camera while it is on; otherwise the tile shows their initial. */
  camera: MediaStream | null;
  /** Their shared screen, while they share it: it gets a large tile of its own. */
  screen: MediaStream | null;
}

/** What is recorded: the tiles on screen, and every voice in the call (people off the page too). */
export interface RecordedCall {
  tiles: readonly RecordedTile[];
  /** Streams whose audio tracks are mixed in: everyone's microphone, ours included. */
  voices: readonly MediaStream[];
}

const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 15;
const FRAME_MS = Math.round(1000 / FPS);
/** Enough for a legible 720p grid; a one-hour call is about 600 MB, kept in memory until saved. */
const VIDEO_BITS_PER_SECOND = 1_200_000;
const AUDIO_BITS_PER_SECOND = 96_000;
/** MediaRecorder hands over what it has every second, so a crash loses at most that. */
const TIMESLICE_MS = 1000;
/** How often the mix looks for audio tracks that arrived inside a stream it already has. */
const VOICE_CHECK_TICKS = FPS;

const BACKGROUND = '#101216';
const TILE = '#262a33';
const LABEL_BACKGROUND = 'rgb(0 0 0 / 0.6)';
const TEXT = '#f2f4f8';

export class CallRecorder {
  readonly #canvas = document.createElement('canvas');
  readonly #context: CanvasRenderingContext2D;
  readonly #audio = new AudioContext();
  readonly #mix = this.#audio.createMediaStreamDestination();
  readonly #voices = new Map<string, MediaStreamAudioSourceNode>();
  readonly #videos = new Map<string, HTMLVideoElement>();
  readonly #clock = new Worker(new URL('./recorder-clock.worker.ts', import.meta.url), { type: 'module' });
  readonly #chunks: Blob[] = [];
  readonly #recorder: MediaRecorder;
  readonly #stopped: Promise<void>;
  #call: RecordedCall = { tiles: [], voices: [] };
  #startedAt = performance.now();
  #ticks = 0;

  /** Starts recording at once; call it from the click that asked for it, so audio may start. */
  constructor(call: RecordedCall) {
    this.#canvas.width = WIDTH;
    this.#canvas.height = HEIGHT;
    this.#context = this.#canvas.getContext('2d', { alpha: false })!;
    const mimeType = recordingMimeType() ?? 'video/webm';
    const stream = new MediaStream([...this.#canvas.captureStream(FPS).getVideoTracks(), ...this.#mix.stream.getAudioTracks()]);
    this.#recorder = new MediaRecorder(stream, {
      mimeType,
      videoBitsPerSecond: VIDEO_BITS_PER_SECOND,
      audioBitsPerSecond: AUDIO_BITS_PER_SECOND,
    });
    this.#recorder.ondataavailable = (event) => {
      if (event.data.size > 0) this.#chunks.push(event.data);
    };
    this.#stopped = new Promise((resolve) => this.#recorder.addEventListener('stop', () => resolve(), { once: true }));
    this.update(call);
    this.#draw();
    void this.#audio.resume();
    this.#recorder.start(TIMESLICE_MS);
    this.#startedAt = performance.now();
    this.#clock.onmessage = () => this.#tick();
    this.#clock.postMessage(FRAME_MS);
  }

  /** Whether it still records (the browser may have stopped it: an encoder error). */
  get recording(): boolean {
    return this.#recorder.state === 'recording';
  }

  /** Who is in the call now: people who join are added, people who leave dropped. */
  update(call: RecordedCall): void {
    this.#call = call;
    const wanted = new Map<string, MediaStream>();
    for (const tile of call.tiles) {
      if (tile.camera) wanted.set(`${tile.id}:camera`, tile.camera);
      if (tile.screen) wanted.set(`${tile.id}:screen`, tile.screen);
    }
    for (const [key, video] of this.#videos) {
      if (wanted.has(key)) continue;
      video.srcObject = null;
      this.#videos.delete(key);
    }
    for (const [key, stream] of wanted) this.#play(key, stream);
    this.#mixVoices();
  }

  /** Stops and returns the WebM file, its duration written in so players can show and seek it. */
  async stop(): Promise<Blob> {
    this.#clock.terminate();
    const durationMs = performance.now() - this.#startedAt;
    if (this.#recorder.state !== 'inactive') this.#recorder.stop();
    await this.#stopped;
    for (const track of this.#recorder.stream.getTracks()) track.stop();
    for (const video of this.#videos.values()) video.srcObject = null;
    this.#videos.clear();
    for (const voice of this.#voices.values()) voice.disconnect();
    this.#voices.clear();
    void this.#audio.close();
    const type = this.#recorder.mimeType.split(';')[0] || 'video/webm';
    return fixWebmDuration(new Blob(this.#chunks, { type }), durationMs);
  }

  #tick(): void {
    if (++this.#ticks % VOICE_CHECK_TICKS === 0) this.#mixVoices();
    this.#draw();
    this.#clock.postMessage(FRAME_MS);
  }

  #play(key: string, stream: MediaStream): void {
    let video = this.#videos.get(key);
    if (!video) {
      video = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      this.#videos.set(key, video);
    }
    if (video.srcObject === stream) return;
    video.srcObject = stream;
    video.play().catch(() => {});
  }

  /** Each live audio track of the voices feeds the mix once; ended or departed ones leave it. */
  #mixVoices(): void {
    const live = new Map<string, MediaStreamTrack>();
    for (const stream of this.#call.voices) for (const track of stream.getAudioTracks()) if (track.readyState === 'live') live.set(track.id, track);
    for (const [id, source] of this.#voices) {
      if (live.has(id)) continue;
      source.disconnect();
      this.#voices.delete(id);
    }
    for (const [id, track] of live) {
      if (this.#voices.has(id)) continue;
      const source = this.#audio.createMediaStreamSource(new MediaStream([track]));
      source.connect(this.#mix);
      this.#voices.set(id, source);
    }
  }

  #draw(): void {
    const context = this.#context;
    context.fillStyle = BACKGROUND;
    context.fillRect(0, 0, WIDTH, HEIGHT);
    const { tiles } = this.#call;
    const screens = tiles.filter((tile) => tile.screen);
    const rects = recordingLayout(screens.length, tiles.length, WIDTH, HEIGHT);
    screens.forEach((tile, i) => this.#drawTile(rects[i]!, tile.name, this.#videos.get(`${tile.id}:screen`), 'contain'));
    tiles.forEach((tile, i) => this.#drawTile(rects[screens.length + i]!, tile.name, this.#videos.get(`${tile.id}:camera`), 'cover'));
  }

  #drawTile(rect: Rect, name: string, video: HTMLVideoElement | undefined, fit: 'cover' | 'contain'): void {
    const context = this.#context;
    context.fillStyle = fit === 'contain' ? '#000' : TILE;
    context.fillRect(rect.x, rect.y, rect.width, rect.height);
    if (video && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0) {
      drawVideo(context, video, rect, fit);
    } else {
      drawInitial(context, rect, name);
    }
    drawName(context, rect, name);
  }
}

function drawVideo(context: CanvasRenderingContext2D, video: HTMLVideoElement, rect: Rect, fit: 'cover' | 'contain'): void {
  const scale = (fit === 'cover' ? Math.max : Math.min)(rect.width / video.videoWidth, rect.height / video.videoHeight);
  const width = video.videoWidth * scale;
  const height = video.videoHeight * scale;
  context.save();
  context.beginPath();
  context.rect(rect.x, rect.y, rect.width, rect.height);
  context.clip();
  context.drawImage(video, rect.x + (rect.width - width) / 2, rect.y + (rect.height - height) / 2, width, height);
  context.restore();
}

/** A camera that is off: the person's initial in a circle, as on the call's tile. */
function drawInitial(context: CanvasRenderingContext2D, rect: Rect, name: string): void {
  const radius = Math.min(rect.width, rect.height) / 5;
  const x = rect.x + rect.width / 2;
  const y = rect.y + rect.height / 2;
  context.fillStyle = '#3d4453';
  context.beginPath();
  context.arc(x, y, radius, 0, 2 * Math.PI);
  context.fill();
  context.fillStyle = TEXT;
  context.font = `600 ${Math.round(radius)}px system-ui, sans-serif`;
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillText([...name][0]?.toUpperCase() ?? '?', x, y);
}

/** The name in the tile's lower left corner, cut short with an ellipsis to fit. */
function drawName(context: CanvasRenderingContext2D, rect: Rect, name: string): void {
  const size = Math.max(12, Math.min(22, Math.round(rect.height / 14)));
  const padding = Math.round(size / 2);
  context.font = `600 ${size}px system-ui, sans-serif`;
  context.textAlign = 'left';
  context.textBaseline = 'middle';
  const room = rect.width - 4 * padding;
  let label = name;
  while (label.length > 1 && context.measureText(label).width > room) label = label.slice(0, -2) + '…';
  const width = Math.min(context.measureText(label).width, room) + 2 * padding;
  const height = size + padding;
  const x = rect.x + padding;
  const y = rect.y + rect.height - height - padding;
  context.fillStyle = LABEL_BACKGROUND;
  context.fillRect(x, y, width, height);
  context.fillStyle = TEXT;
  context.fillText(label, x + padding, y + height / 2);
}
