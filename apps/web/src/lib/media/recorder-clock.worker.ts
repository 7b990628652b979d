/**
 * The recording's frame clock. A page's timers slow to once a second (later once a minute) while
 * its tab is in the background, and requestAnimationFrame stops; a worker's timers keep their pace,
 * so a call recorded from a background tab keeps its frame rate.
 *
 * The page asks for each tick (posting the interval in ms) once it has drawn the last one: a page
 * slower than the clock gets fewer frames, never a queue of ticks that would keep it busy (and the
 * person's clicks waiting) long after the frames were due; and at least half an interval passes
 * between a frame drawn and the next tick, so drawing never takes the whole page.
 */
let last = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

onmessage = (event: MessageEvent<number>) => {
  clearTimeout(timer);
  timer = setTimeout(
    () => {
      last = performance.now();
      postMessage(null);
    },
    Math.max(event.data / 2, last + event.data - performance.now()),
  );
};
