/**
 * Light or dark: the switch's choice (remembered in this browser), or the system's
 * (`prefers-color-scheme`, followed live). The page's colours are CSS variables that
 * `:root[data-theme='light']` overrides (app.css).
 */
import { readStored, writeStored } from '../stored';

export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'parley.theme';
const CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

function saved(): ThemeChoice {
  const value = readStored(KEY);
  return CHOICES.find((choice) => choice === value) ?? 'system';
}

const systemLight = matchMedia('(prefers-color-scheme: light)');
let choice = $state<ThemeChoice>(saved());
let prefersLight = $state(systemLight.matches);
systemLight.addEventListener('change', (event) => {
  prefersLight = event.matches;
  apply();
});

function apply(): void {
  document.documentElement.dataset.theme = theme.current;
}

export const theme = {
  CHOICES,
  get choice(): ThemeChoice {
    return choice;
  },
  /** The theme shown now. */
  get current(): 'light' | 'dark' {
    return choice === 'system' ? (prefersLight ? 'light' : 'dark') : choice;
  },
  set(next: ThemeChoice): void {
    choice = next;
    apply();
    writeStored(KEY, next);
  },
};

apply();
