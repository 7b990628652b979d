/**
 * The messages of the languages other than English, fetched when someone picks one, so the first
 * download carries English only (40 KB budget). `virtual:parley-messages` is every message as
 * Paraglide compiled it, all languages inline (build/lazy-locales.ts).
 */
import type * as Messages from '../../paraglide/messages/_index.js';
import { baseLocale, type Locale } from '../../paraglide/runtime.js';

export type Catalog = typeof Messages;

/** The languages fetched so far. */
export const catalogs: Partial<Record<Locale, Catalog>> = {};

/** Fetches a language's messages, once; English is always there. */
export async function loadCatalog(locale: Locale): Promise<void> {
  if (locale !== baseLocale) catalogs[locale] ??= (await import('virtual:parley-messages')) as Catalog;
}
