import { defineConfig } from '@playwright/test';

/** The main server, with the default room capacity. */
export const BASE_URL = 'http://localhost:3100';
/** A second server whose rooms hold two people, so "room full" needs only three browsers. */
export const SMALL_ROOMS_URL = 'http://localhost:3101';

const server = (port: number, env: Record<string, string> = {}) => ({
  command: 'node apps/api/dist/main.js',
  url: `http://localhost:${port}/healthz`,
  // No STUN: every candidate is a host candidate, and nothing leaves the machine.
  env: { PORT: String(port), STUN_URLS: '', LOG_LEVEL: 'warn', ...env },
  reuseExistingServer: !process.env.CI,
  timeout: 30_000,
});

export default defineConfig({
  testDir: 'e2e',
  // Each test runs several real browsers on a small machine; one at a time keeps video decoding steady.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  retries: process.env.CI ? 1 : 0,
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
