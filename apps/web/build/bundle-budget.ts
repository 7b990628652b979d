/// <reference types="node" />
/**
 * The SPA's weight budget: what a browser must download before Parley shows anything, the entry
 * chunk with every chunk it imports statically and their CSS, gzipped. The build prints the figure,
 * writes it to dist/bundle-size.json, and fails when it is over the budget. Chunks loaded on
 * demand (a panel opened later) do not count.
 */
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** 40 KB, in bytes. */
export const BUDGET_BYTES = 40 * 1024;

/** The parts of Rollup's output this plugin reads. */
export interface OutputItem {
  type: 'chunk' | 'asset';
  fileName: string;
  isEntry?: boolean;
  imports?: string[];
  code?: string;
  source?: string | Uint8Array;
  viteMetadata?: { importedCss: Set<string> };
}

export interface BundleFigure {
  /** Gzipped bytes of each initial file. */
  files: Record<string, number>;
  gzipBytes: number;
  budgetBytes: number;
}

/** The files a browser loads up front: entry chunks, their static imports, and their CSS. */
export function initialFiles(bundle: Record<string, OutputItem>): string[] {
  const files = new Set<string>();
  const visit = (name: string) => {
    const item = bundle[name];
    if (!item || files.has(name)) return;
    files.add(name);
    if (item.type !== 'chunk') return;
    for (const css of item.viteMetadata?.importedCss ?? []) files.add(css);
    for (const imported of item.imports ?? []) visit(imported);
  };
  for (const item of Object.values(bundle)) if (item.type === 'chunk' && item.isEntry) visit(item.fileName);
  return [...files].filter((name) => /\.(js|css)$/.test(name)).sort();
}

export function gzipSize(content: string | Uint8Array): number {
  return gzipSync(content, { level: 9 }).length;
}

export function measure(bundle: Record<string, OutputItem>, budgetBytes = BUDGET_BYTES): BundleFigure {
  const files: Record<string, number> = {};
  for (const name of initialFiles(bundle)) {
    const item = bundle[name]!;
    files[name] = gzipSize(item.type === 'chunk' ? (item.code ?? '') : (item.source ?? ''));
  }
  const gzipBytes = Object.values(files).reduce((sum, size) => sum + size, 0);
  return { files, gzipBytes, budgetBytes };
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Prints the initial JS+CSS figure after every build and fails the build above the budget. */
export function bundleBudget(budgetBytes = BUDGET_BYTES): Plugin {
  return {
    name: 'parley-bundle-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const figure = measure(bundle as unknown as Record<string, OutputItem>, budgetBytes);
      this.emitFile({ type: 'asset', fileName: 'bundle-size.json', source: `${JSON.stringify(figure, null, 2)}\n` });
      const line = `initial JS+CSS: ${kb(figure.gzipBytes)} gzipped (budget ${kb(budgetBytes)})`;
      if (figure.gzipBytes > budgetBytes) {
        this.error(`${line}: over budget by ${kb(figure.gzipBytes - budgetBytes)}. ${JSON.stringify(figure.files)}`);
      }
      // Straight to the console: Vite shows plugin `info` only at its most verbose.
      console.log(`\n[bundle-budget] ${line}`);
    },
  };
}
