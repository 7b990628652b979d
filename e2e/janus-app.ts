import { test } from '@playwright/test';
import { janusMissing, startJanus, type JanusProcess } from '../libs/signaling/test/janus-process';
import { appServer, type AppServer } from './app-server';

/**
 * For the describe block it is called in: Janus, and a Parley server on it whose rooms move to the
 * SFU past `meshMaxPeers` people, started before the block's tests and stopped after them. The
 * block is skipped where Janus is not installed. Read `url` inside the tests.
 */
export function janusAppForBlock(basePort: number, meshMaxPeers: number): { readonly url: string } {
  test.skip(!!janusMissing, janusMissing ?? '');
  let janus: JanusProcess | undefined;
  let app: AppServer | undefined;

  test.beforeAll(async () => {
    janus = await startJanus();
    app = appServer(basePort, { JANUS_URLS: janus.url, JANUS_API_SECRET: janus.apiSecret, MESH_MAX_PEERS: String(meshMaxPeers) });
    await app.start();
  });

  test.afterAll(async () => {
    await app?.stop('SIGTERM');
    await janus?.stop();
  });

  return {
    get url() {
      if (!app) throw new Error('the Janus server starts before the tests of its block');
      return app.url;
    },
  };
}
