import { gzipSync } from 'node:zlib';
import { BUDGET_BYTES } from '../apps/web/build/bundle-budget';
import { expect, test } from './fixtures';
import { uniqueRoom } from './helpers';

/**
 * The weight budget as a browser sees it: every script and style sheet a first visit downloads
 * before the page is usable, gzipped, against the 40 KB budget. The build enforces the same
 * figure (apps/web/build/bundle-budget.ts); this checks the build that is actually served.
 */
test.describe('weight', () => {
  for (const [page, path, ready] of [
    ['home', '/', 'Start a room'],
    ['a room’s lobby', `/r/${uniqueRoom('weight')}`, 'Join'],
  ] as const) {
    test(`${page}: initial JS+CSS is at most 40 KB gzipped`, async ({ people }) => {
      const { page: tab } = await people.add('Ada');
      const sizes = new Map<string, number>();
      tab.on('response', async (response) => {
        const type = response.request().resourceType();
        if (type !== 'script' && type !== 'stylesheet') return;
        sizes.set(new URL(response.url()).pathname, gzipSync(await response.body(), { level: 9 }).length);
      });
      await tab.goto(path);
      await expect(tab.getByRole('button', { name: ready, exact: true })).toBeVisible();
      await tab.waitForLoadState('networkidle');
      const total = [...sizes.values()].reduce((sum, size) => sum + size, 0);
      console.log(`[weight] ${path}: ${(total / 1024).toFixed(1)} KB gzipped in ${sizes.size} files`);
      expect(sizes.size).toBeGreaterThan(0);
      expect(total, JSON.stringify(Object.fromEntries(sizes))).toBeLessThanOrEqual(BUDGET_BYTES);
    });
  }
});
