import { setFlagsFromString } from 'node:v8';

// V8 allocates an allocation site's objects straight in the old generation once enough of them
// have outlived a young-generation collection ("pretenuring"). Under a relay's load that bet
// loses: each message's objects (ws's frame buffers, the parsed frame, the frame sent on) live
// for one turn of the event loop, and once pretenured they wait for a full collection. In the
// signaling benchmark those came every few seconds and held the event loop for 25 to 60 ms;
// with the flag below, the highest sustained rate went from 20,000-24,000 to 32,000 signals/s
// and p99 at 16,000/s from 26-37 to 6-7 ms, for the same memory (docs/benchmarks.md, "Issue
// 13, eighth pass"). A setting of the whole process, so the app makes it here, not the library.
setFlagsFromString('--no-allocation-site-pretenuring');
