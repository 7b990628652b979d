/* global document, window, HTMLVideoElement -- setupProbe runs in the page */
// What the call-setup benchmark watches in each page, from outside the app (it changes nothing in
// Parley or in the reference page): when the Join button was clicked, what went over the signaling
// socket, what each RTCPeerConnection did, which files loaded, and when the remote video presented
// its first frames. Every time is `performance.timeOrigin + performance.now()`: epoch milliseconds
// with sub-millisecond resolution, comparable between the two browsers on one machine.

/**
 * Runs in the page before its own scripts. `window.__setup.marks` keeps the first time of each
 * step (later ones of the same name are ignored), `frames` counts the remote video's frames.
 */
export function setupProbe() {
  const now = () => performance.timeOrigin + performance.now();
  const marks = {};
  const mark = (name, at = now()) => void (marks[name] ??= at);
  const state = { marks, frames: 0, width: 0, applies: [], longTasks: [] };
  window.__setup = state;

  // Tasks of 50 ms or more: while one runs, every callback of the call's setup waits.
  new PerformanceObserver((list) => {
    for (const task of list.getEntries()) state.longTasks.push({ start: performance.timeOrigin + task.startTime, ms: task.duration });
  }).observe({ type: 'longtask', buffered: true });

  // The Join click (a submit button in both pages), at the event's own time stamp.
  document.addEventListener(
    'click',
    (event) => {
      if (event.target?.closest?.('button[type="submit"]')) mark('click', performance.timeOrigin + event.timeStamp);
    },
    true,
  );

  const NativeGetUserMedia = navigator.mediaDevices?.getUserMedia?.bind(navigator.mediaDevices);
  if (NativeGetUserMedia) {
    navigator.mediaDevices.getUserMedia = async (...args) => {
      mark('gumStart');
      const stream = await NativeGetUserMedia(...args);
      mark('gumDone');
      return stream;
    };
  }

  // The signaling socket: both protocols frame messages as {"event": …, "data": …}.
  const describe = (raw) => {
    try {
      const { event, data } = JSON.parse(raw);
      if (event !== 'signal') return event;
      if (data?.description) return `${data.description.type}`;
      return data?.candidate ? 'candidate' : 'end-of-candidates';
    } catch {
      return 'unparsed';
    }
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      mark('wsNew');
      this.addEventListener('open', () => mark('wsOpen'));
      this.addEventListener('message', (event) => mark(`got ${describe(event.data)}`));
    }
    send(data) {
      mark(`sent ${describe(data)}`);
      super.send(data);
    }
  };

  const NativePeerConnection = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePeerConnection {
    constructor(...args) {
      const start = now();
      super(...args);
      mark('pcNew');
      // The first connection of a page starts WebRTC's threads and devices: it can block for long.
      state.applies.push({ method: 'new RTCPeerConnection', type: '', start, ms: now() - start });
      this.addEventListener('negotiationneeded', () => mark('negotiationneeded'));
      this.addEventListener('icecandidate', ({ candidate }) => mark(candidate ? 'candidateGathered' : 'gatheringDone'));
      this.addEventListener('iceconnectionstatechange', () => mark(`ice ${this.iceConnectionState}`));
      this.addEventListener('connectionstatechange', () => mark(`pc ${this.connectionState}`));
      this.addEventListener('track', ({ track }) => mark(`track ${track.kind}`));
      for (const method of ['setLocalDescription', 'setRemoteDescription']) {
        const native = this[method].bind(this);
        this[method] = async (...callArgs) => {
          const start = now();
          try {
            return await native(...callArgs);
          } finally {
            const type = (callArgs[0]?.type ?? this.localDescription?.type) || '?';
            state.applies.push({ method, type, start, ms: now() - start });
            mark(`${method === 'setLocalDescription' ? 'SLD' : 'SRD'} ${type} done`);
          }
        };
      }
    }
  };

  // The remote video, in either page: a <video> inside [data-testid="remote-tile"]. Media events do
  // not bubble, but a capturing listener on the document sees them all.
  const watched = new WeakSet();
  const watch = (video) => {
    if (watched.has(video) || !video.closest?.('[data-testid="remote-tile"]')) return;
    watched.add(video);
    mark('remoteVideoLoading');
    const onFrame = (at) => {
      if (video.videoWidth > 0) {
        mark('firstFrame', performance.timeOrigin + at);
        state.frames++;
        state.width = video.videoWidth;
        state.currentTime = video.currentTime;
      }
      if (video.isConnected) video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  for (const type of ['loadstart', 'loadedmetadata', 'playing']) {
    document.addEventListener(
      type,
      (event) => {
        if (event.target instanceof HTMLVideoElement) watch(event.target);
        if (type !== 'loadstart' && event.target.closest?.('[data-testid="remote-tile"]')) mark(`remote ${type}`);
      },
      true,
    );
  }
}

/** The page's marks and frame count so far. */
export function readProbe(page) {
  return page.evaluate(() => {
    const { marks, frames, width, currentTime, applies, longTasks } = window.__setup;
    // Which script chunks the page fetched after the click (Parley's call kit and call view).
    const click = marks.click ?? Infinity;
    const loads = performance
      .getEntriesByType('resource')
      .filter((entry) => performance.timeOrigin + entry.startTime >= click - 1)
      .map((entry) => ({
        name: entry.name.replace(/^.*\//, ''),
        start: performance.timeOrigin + entry.startTime,
        end: performance.timeOrigin + entry.responseEnd,
      }));
    return { marks: { ...marks }, frames, width, currentTime, applies: [...applies], longTasks: [...longTasks], loads };
  });
}
