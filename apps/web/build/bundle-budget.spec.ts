import { BUDGET_BYTES, gzipSize, initialFiles, measure, type OutputItem } from './bundle-budget';

const chunk = (fileName: string, fields: Partial<OutputItem> = {}): OutputItem => ({
  type: 'chunk',
  fileName,
  code: `/*${fileName}*/`,
  imports: [],
  ...fields,
});
const asset = (fileName: string, source = 'body{}'): OutputItem => ({ type: 'asset', fileName, source });

const bundle = (items: OutputItem[]) => Object.fromEntries(items.map((item) => [item.fileName, item]));

describe('initialFiles', () => {
  it('counts the entry, its static imports and their CSS, not lazy chunks', () => {
    const files = initialFiles(
      bundle([
        chunk('assets/index.js', { isEntry: true, imports: ['assets/shared.js'], viteMetadata: { importedCss: new Set(['assets/index.css']) } }),
        chunk('assets/shared.js', { imports: ['assets/index.js'] }),
        chunk('assets/ChatPanel.js', { viteMetadata: { importedCss: new Set(['assets/ChatPanel.css']) } }),
        asset('assets/index.css'),
        asset('assets/ChatPanel.css'),
        asset('bundle-size.json', '{}'),
      ]),
    );
    expect(files).toEqual(['assets/index.css', 'assets/index.js', 'assets/shared.js']);
  });
});

describe('measure', () => {
  it('adds up the gzipped sizes against the budget', () => {
    const big = 'x'.repeat(10_000);
    const figure = measure(bundle([chunk('a.js', { isEntry: true, code: big }), chunk('lazy.js', { code: big })]));
    expect(figure.files).toEqual({ 'a.js': gzipSize(big) });
    expect(figure.gzipBytes).toBe(gzipSize(big));
    expect(figure.budgetBytes).toBe(BUDGET_BYTES);
  });
});
