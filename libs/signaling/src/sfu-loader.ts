/**
 * The one door to the Janus adapter (sfu/janus-pool.ts and what it imports): janode is an
 * optionalDependency, because it needs the native addon unix-dgram, which npm cannot build on a
 * machine without python3, make and g++. npm then leaves janode out and `npm install` still
 * succeeds; the library loads janode only when an SFU is configured (JANUS_URLS), and says so
 * clearly when it cannot. No other file imports sfu/ at run time except janode-free parts
 * (errors, types, the URL parser); test/janode-optional.spec.ts runs the app without janode.
 */
import type { JanusPool } from './sfu/janus-pool.js';

/** The JanusPool class, loaded on demand. */
export type JanusPoolClass = typeof JanusPool;

/** What a startup without janode says; the cause (the loader's own error) follows it. */
export const JANODE_MISSING =
  'JANUS_URLS is set (an SFU is configured), but the Janus adapter cannot load: janode, an optional dependency of ' +
  '@parley/nest-signaling, is not installed or its native addon unix-dgram was not built (that needs python3, make ' +
  'and g++). Install those and run `npm install` again, or unset JANUS_URLS to keep every room peer to peer.';

/** Loads the Janus adapter; rejects with JANODE_MISSING (and the cause) when janode or its addon cannot be loaded. */
export async function loadJanusPool(): Promise<JanusPoolClass> {
  try {
    return (await import('./sfu/janus-pool.js')).JanusPool;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    // Anything else (a bug of ours) keeps its own message.
    if (!/janode|unix[-_]dgram/.test(text)) throw error;
    throw new Error(`${JANODE_MISSING} Cause: ${text.split('\n')[0]}`, { cause: error });
  }
}
