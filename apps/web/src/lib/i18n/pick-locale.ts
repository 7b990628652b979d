import { baseLocale, isLocale, type Locale } from '../../paraglide/runtime.js';

/** Each language in its own words, for the language switch. */
export const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', de: 'Deutsch' };

/** The language chosen in the app, else the first of the browser's languages Parley speaks ("de-AT" is German), else English. */
export function pickLocale(saved: string | null, preferred: readonly string[]): Locale {
  if (saved && isLocale(saved)) return saved;
  for (const tag of preferred) {
    const language = tag.toLowerCase().split('-')[0]!;
    if (isLocale(language)) return language;
  }
  return baseLocale;
}
