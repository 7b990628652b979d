/**
 * Which remote tiles the grid shows when everyone does not fit: one page, with the pinned people
 * first and the active speaker right after them, then everyone else in the order they arrived;
 * a "+N" tile stands for the rest. Pure functions: the grid and the video the SFU forwards both
 * follow what they return.
 */

/** The simulcast layer a tile needs: 0 is a quarter of the camera's resolution, 2 all of it. */
export type VideoLayer = 0 | 1 | 2;

export interface TilePageInput {
  /** The remote peers, in the order they arrived. */
  peers: readonly string[];
  /** Who speaks now (or spoke last), if anyone else does. */
  speaker: string | null;
  /** People pinned by this person; they lead every page. */
  pinned: ReadonlySet<string>;
  /** How many tiles fit on screen, the local tile included. */
  slots: number;
  /** The page asked for; out of range wraps around. */
  page: number;
}

export interface TilePage {
  /** The remote peers on this page, in tile order. */
  visible: string[];
  /** How many are not on it: the "+N" tile, when above 0. */
  hidden: number;
  /** The page shown (the one asked for, wrapped) and how many there are. */
  page: number;
  pages: number;
}

/** One page of remote tiles. Pinned people are on every page; the others are paged after them. */
export function tilePage({ peers, speaker, pinned, slots, page }: TilePageInput): TilePage {
  // The local tile takes one slot; when not everyone fits, the "+N" tile takes another.
  const fits = Math.max(1, slots - 1);
  if (peers.length <= fits) return { visible: tileOrder(peers, speaker, pinned, fits), hidden: 0, page: 0, pages: 1 };
  const perPage = Math.max(1, fits - 1);
  const ordered = tileOrder(peers, speaker, pinned, perPage);
  const leading = ordered.filter((id) => pinned.has(id)).slice(0, perPage);
  const rest = ordered.filter((id) => !leading.includes(id));
  const restPerPage = perPage - leading.length;
  const pages = restPerPage === 0 ? 1 : Math.ceil(rest.length / restPerPage);
  const shown = ((page % pages) + pages) % pages;
  const visible = [...leading, ...rest.slice(shown * restPerPage, (shown + 1) * restPerPage)];
  return { visible, hidden: ordered.length - visible.length, page: shown, pages };
}

/**
 * Pinned people first (in arrival order), then the active speaker when they would otherwise be
 * past the first `firstPage` tiles, then everyone else in arrival order. A speaker already on the
 * first page keeps their place, so tiles do not shuffle every time someone else talks.
 */
export function tileOrder(peers: readonly string[], speaker: string | null, pinned: ReadonlySet<string>, firstPage = 0): string[] {
  const leading = peers.filter((id) => pinned.has(id));
  const rest = peers.filter((id) => !pinned.has(id));
  const at = speaker === null ? -1 : rest.indexOf(speaker);
  if (at < 0 || leading.length + at < firstPage) return [...leading, ...rest];
  return [...leading, speaker!, ...rest.filter((id) => id !== speaker)];
}

const GAP_PX = 12;
const MIN_TILE_PX = 288;
const CHROME_PX = 160;

/** How many 16:9 tiles of at least 18rem fit in a viewport (the header and controls left out); at least 2. */
export function slotsFor(width: number, height: number): number {
  const columns = Math.max(1, Math.floor((width - 32 + GAP_PX) / (MIN_TILE_PX + GAP_PX)));
  const tileHeight = ((width - 32) / columns) * (9 / 16);
  const rows = Math.max(1, Math.floor((height - CHROME_PX + GAP_PX) / (tileHeight + GAP_PX)));
  return Math.max(2, columns * rows);
}

/** How wide a tile of the strip below a large tile is at most (12rem, in CSS pixels; CallTiles' `.small .grid`). */
export const STRIP_TILE_PX = 192;
const STRIP_MAX_PX = 1120;
/** The large tile's share of the viewport's height (CallTiles' `.stage`). */
const STAGE_SHARE = 0.62;

/**
 * How many small tiles fit in the strip below a large tile (speaker view, a presentation), the
 * local tile included; at least 2. The strip's tiles are at most 12rem wide, two to a row on a phone.
 */
export function stripSlotsFor(width: number, height: number): number {
  const inner = Math.min(width - 32, STRIP_MAX_PX);
  const tileWidth = Math.min(STRIP_TILE_PX, inner / 2 - GAP_PX / 2);
  const columns = Math.max(1, Math.floor((inner + GAP_PX) / (tileWidth + GAP_PX)));
  const stage = Math.min(height * STAGE_SHARE, (width - 32) * (9 / 16)) + GAP_PX;
  const rows = Math.max(1, Math.floor((height - CHROME_PX - stage + GAP_PX) / (tileWidth * (9 / 16) + GAP_PX)));
  return Math.max(2, columns * rows);
}

/** The layer for tiles `tileWidth` CSS pixels wide on a screen of `pixelRatio`. */
export function layerFor(tileWidth: number, pixelRatio = 1): VideoLayer {
  const pixels = tileWidth * pixelRatio;
  if (pixels >= 640) return 2;
  if (pixels >= 320) return 1;
  return 0;
}

/** How wide each of `tiles` tiles is in a grid `width` wide (one row of up to the columns that fit). */
export function tileWidthFor(width: number, tiles: number): number {
  const columns = Math.max(1, Math.min(tiles, Math.floor((width - 32 + GAP_PX) / (MIN_TILE_PX + GAP_PX))));
  return (width - 32 - GAP_PX * (columns - 1)) / columns;
}
