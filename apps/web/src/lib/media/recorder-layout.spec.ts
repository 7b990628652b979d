import { grid, recordingLayout, type Rect } from './recorder-layout';

const inside = (rect: Rect, width: number, height: number) =>
  rect.x >= 0 && rect.y >= 0 && rect.x + rect.width <= width && rect.y + rect.height <= height;
const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function expectTidy(rects: Rect[], width = 1280, height = 720) {
  for (const rect of rects) expect(inside(rect, width, height)).toBe(true);
  rects.forEach((a, i) => rects.slice(i + 1).forEach((b) => expect(overlap(a, b)).toBe(false)));
}

describe(recordingLayout.name, () => {
  it('gives one person the whole frame, inside a margin', () => {
    // 1264 × 704 inside the margin: the height sets the 16:9 tile, centred across.
    expect(recordingLayout(0, 1, 1280, 720)).toEqual([{ x: 14, y: 8, width: 1251, height: 704 }]);
  });

  it('puts two people side by side and four in two rows of two', () => {
    const two = recordingLayout(0, 2, 1280, 720);
    expect(two[0]!.y).toBe(two[1]!.y);
    expect(two[0]!.x).toBeLessThan(two[1]!.x);
    const four = recordingLayout(0, 4, 1280, 720);
    expect(new Set(four.map((r) => r.y)).size).toBe(2);
    expect(new Set(four.map((r) => r.x)).size).toBe(2);
    expectTidy(two);
    expectTidy(four);
  });

  it('centres a last row that is not full', () => {
    const three = recordingLayout(0, 3, 1280, 720);
    expectTidy(three);
    const [a, b, c] = three as [Rect, Rect, Rect];
    expect(a.y).toBe(b.y);
    expect(c.y).toBeGreaterThan(a.y);
    expect(Math.abs(c.x + c.width / 2 - 640)).toBeLessThanOrEqual(1);
  });

  it('shows a shared screen large, with the cameras in a column beside it', () => {
    const [screen, ...cameras] = recordingLayout(1, 3, 1280, 720) as [Rect, ...Rect[]];
    expectTidy([screen, ...cameras]);
    expect(screen.width).toBeGreaterThan(900);
    for (const camera of cameras) {
      expect(camera.x).toBeGreaterThan(screen.x + screen.width);
      expect(camera.width).toBeLessThan(300);
    }
  });

  it('keeps every tile 16:9 and inside the frame for up to 20 people', () => {
    for (let n = 1; n <= 20; n++) {
      for (const rects of [recordingLayout(0, n, 1280, 720), recordingLayout(1, n, 1280, 720)]) {
        expectTidy(rects);
        for (const r of rects) expect(Math.abs(r.width / r.height - 16 / 9)).toBeLessThan(0.05);
      }
    }
  });

  it('has no tiles for nobody', () => {
    expect(grid(0, { x: 0, y: 0, width: 100, height: 100 })).toEqual([]);
  });
});
