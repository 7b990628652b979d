/**
 * Whether this browser can record a call, asked before the recorder itself is loaded (the button
 * shows only where it can). Preferred formats first: VP8 costs the least CPU while the call itself
 * is encoding video too; all are WebM with Opus audio.
 */
const MIME_TYPES = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm'];

/** The WebM type this browser's MediaRecorder writes, or null when it writes none. */
export function recordingMimeType(): string | null {
  if (typeof MediaRecorder === 'undefined' || typeof MediaRecorder.isTypeSupported !== 'function') return null;
  return MIME_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) ?? null;
}

export function canRecordCall(): boolean {
  return (
    recordingMimeType() !== null &&
    typeof AudioContext !== 'undefined' &&
    typeof Worker !== 'undefined' &&
    typeof HTMLCanvasElement !== 'undefined' &&
    typeof HTMLCanvasElement.prototype.captureStream === 'function'
  );
}

/** The file a recording is saved as: parley-<room>-<yyyy-mm-dd>-<hhmm>.webm, in local time. */
export function recordingFileName(room: string, startedAt: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${startedAt.getFullYear()}-${two(startedAt.getMonth() + 1)}-${two(startedAt.getDate())}`;
  return `parley-${room}-${date}-${two(startedAt.getHours())}${two(startedAt.getMinutes())}.webm`;
}

/** Hands the file to the browser's downloads; nothing leaves the machine. */
export function saveRecording(recording: Blob, fileName: string): void {
  const url = URL.createObjectURL(recording);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own reference by then; a minute is generous for a slow disk.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
