/** Every message as Paraglide compiled it, with all its languages, loaded on demand (build/lazy-locales.ts); typed as `Catalog` where it is loaded. */
declare module 'virtual:parley-messages';
