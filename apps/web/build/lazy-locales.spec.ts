import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rewriteMessageModule } from './lazy-locales';

const compiled = (key: string) => readFileSync(fileURLToPath(new URL(`../src/paraglide/messages/${key}.js`, import.meta.url)), 'utf8');

describe(rewriteMessageModule.name, () => {
  it.each(['lobby_join', 'left_message', 'people_count', 'media_denied'])('keeps only the English function of %s, behind localized()', (key) => {
    const sut = rewriteMessageModule(compiled(key), key, '/app/locale.svelte.ts');
    expect(sut).toContain(`export const ${key} = /* @__PURE__ */ localized("${key}", en_${key});`);
    expect(sut).toContain('import { localized } from "/app/locale.svelte.ts";');
    // The German function is still defined but no longer referenced, so the bundler drops it.
    expect(sut.match(new RegExp(`\\bde_${key}\\b`, 'g'))).toHaveLength(1);
    expect(sut).not.toContain('getLocale()');
  });

  it('refuses a module of another shape, so a Paraglide upgrade cannot silently ship every language', () => {
    expect(() => rewriteMessageModule('export const x = () => "x";', 'x', '/app/locale.svelte.ts')).toThrow(/not shaped as expected/);
    expect(() => rewriteMessageModule(compiled('lobby_join'), 'lobby_title', '/app/locale.svelte.ts')).toThrow(/not shaped as expected/);
  });
});
