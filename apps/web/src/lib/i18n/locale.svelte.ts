/**
 * The language the app speaks, as a rune: each message asks for it when it renders, so every
 * message on screen follows a switch without a reload (a reload would end the call). A language's
 * messages are fetched before it becomes current.
 */
import { baseLocale, overwriteGetLocale, type Locale } from '../../paraglide/runtime.js';
import { catalogs, loadCatalog, type Catalog } from './catalogs';
import { pickLocale } from './pick-locale';

const KEY = 'parley.locale';

function saved(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

let current = $state<Locale>(baseLocale);
// For Paraglide's own helpers, and for code that runs the compiled messages unchanged.
overwriteGetLocale(() => current);

/**
 * A message in the language of the moment, from its English text: the build turns each compiled
 * message into `localized(key, en)` (build/lazy-locales.ts), so the other languages stay in their
 * own download until picked.
 */
export function localized<Inputs>(key: keyof Catalog, english: (inputs: Inputs) => string) {
  return (inputs: Inputs, options?: { locale?: Locale }): string => {
    const locale = options?.locale ?? current;
    const message = catalogs[locale]?.[key] as ((inputs: Inputs, options: { locale: Locale }) => string) | undefined;
    return message ? message(inputs, { locale }) : english(inputs);
  };
}

async function use(locale: Locale): Promise<void> {
  await loadCatalog(locale);
  current = locale;
  document.documentElement.lang = locale;
}

/** The language now, and the switch that remembers the choice. */
export const language = {
  get current(): Locale {
    return current;
  },
  async set(locale: Locale): Promise<void> {
    await use(locale);
    try {
      localStorage.setItem(KEY, locale);
    } catch {
      // Private mode may refuse storage; the choice then lasts until the page closes.
    }
  },
};

/** Settles once the language picked at start is loaded; English if its messages could not be fetched. */
export const languageReady: Promise<void> = use(pickLocale(saved(), navigator.languages ?? [navigator.language])).catch(() => {});
