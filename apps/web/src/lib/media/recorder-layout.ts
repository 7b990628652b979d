/** A rectangle on the recording's frame, in pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Space between tiles and around the frame's edge. */
const GAP = 8;
/** The share of the frame's width a shared screen takes; the cameras go in a column beside it. */
const STAGE_SHARE = 0.78;

/**
 * Where the tiles go on a recording's frame, like the call shows them: a grid of 16:9 tiles, or,
 * while someone shares a screen, the screens large on the left and the cameras in a column on the
 * right. Returns `screens` rects for the screens, then `cameras` for the cameras.
 */
export function recordingLayout(screens: number, cameras: number, width: number, height: number): Rect[] {
  const frame = { x: GAP, y: GAP, width: width - 2 * GAP, height: height - 2 * GAP };
  if (screens === 0) return grid(cameras, frame);
  if (cameras === 0) return grid(screens, frame);
  const stageWidth = Math.round(frame.width * STAGE_SHARE);
  const stage = { ...frame, width: stageWidth };
  const side = { ...frame, x: frame.x + stageWidth + GAP, width: frame.width - stageWidth - GAP };
  return [...grid(screens, stage), ...grid(cameras, side)];
}

/** `count` equal 16:9 cells in the columns that make them largest, centred in `area`. */
export function grid(count: number, area: Rect): Rect[] {
  if (count <= 0) return [];
  let best = { columns: 1, rows: count, width: 0, height: 0 };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const fit = fit16x9((area.width - GAP * (columns - 1)) / columns, (area.height - GAP * (rows - 1)) / rows);
    if (fit.width > best.width) best = { columns, rows, ...fit };
  }
  const { columns, rows, width, height } = best;
  const left = area.x + (area.width - (columns * width + (columns - 1) * GAP)) / 2;
  const top = area.y + (area.height - (rows * height + (rows - 1) * GAP)) / 2;
  return Array.from({ length: count }, (_, i) => {
    const row = Math.floor(i / columns);
    // The last row, when not full, is centred like the call's grid.
    const inRow = row === rows - 1 ? count - row * columns : columns;
    const rowLeft = left + ((columns - inRow) * (width + GAP)) / 2;
    return {
      x: Math.round(rowLeft + (i % columns) * (width + GAP)),
      y: Math.round(top + row * (height + GAP)),
      width: Math.floor(width),
      height: Math.floor(height),
    };
  });
}

function fit16x9(width: number, height: number): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: 0, height: 0 };
  return width / height > 16 / 9 ? { width: (height * 16) / 9, height } : { width, height: (width * 9) / 16 };
}
