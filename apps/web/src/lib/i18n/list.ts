import { getLocale } from '../../paraglide/runtime.js';

/** Names as one list in the language of the moment: "Ada, Brian, and Chidi", "Ada, Brian und Chidi". */
export function listOf(names: readonly string[]): string {
  return new Intl.ListFormat(getLocale(), { type: 'conjunction' }).format(names);
}
