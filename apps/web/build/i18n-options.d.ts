import type { CompilerOptions } from '@inlang/paraglide-js';

/** How Paraglide compiles the message catalogs (see i18n-options.js, which Node runs as it is). */
export declare const i18nOptions: CompilerOptions;
