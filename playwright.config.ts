import { defineConfig } from '@playwright/test';

/**
 * Added to every port the browser tests listen on, so two checkouts can run them side by side
 * on one machine (E2E_PORT_OFFSET=100 moves 3100 to 3200, and so on).
 */
export const PORT_OFFSET = Number(process.env.E2E_PORT_OFFSET ?? 0);
/** The main server, with the default room capacity. */
export const BASE_URL = `http://localhost:${3100 + PORT_OFFSET}`;
/** A second server whose rooms hold two people, so "room full" needs only three browsers. */
export const SMALL_ROOMS_URL = `http://localhost:${3101 + PORT_OFFSET}`;

const server = (basePort: number, env: Record<string, string> = {}) => {
  const port = basePort + PORT_OFFSET;
  return {
    command: 'node apps/api/dist/main.js',
    url: `http://localhost:${port}/healthz`,
    // No STUN: every candidate is a host candidate, and nothing leaves the machine.
    env: { PORT: String(port), STUN_URLS: '', LOG_LEVEL: 'warn', ...env },
    // Never someone else's server: a leftover one on the port may run another checkout's build.
    reuseExistingServer: false,
    timeout: 30_000,
  };
};

export default defineConfig({
  testDir: 'e2e',
  // Each test runs several real browsers on a small machine; one at a time keeps video decoding steady.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  // A test that needs a retry is a bug in the test or the product: find it.
  retries: 0,
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    baseURL: BASE_URL,
    browserName: 'chromium',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        // Two fake cameras (fake_device_0 and _1), so a test can switch between them.
        '--use-fake-device-for-media-stream=device-count=2',
        '--use-fake-ui-for-media-stream',
        // getDisplayMedia picks the whole (fake) screen without a picker.
        '--auto-select-desktop-capture-source=Entire screen',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: [server(3100), server(3101, { MAX_PEERS: '2' })],
});
