import type { Component } from 'svelte';

type CallViewComponent = Component<{ onleave: () => void }>;

let loading: Promise<CallViewComponent> | null = null;

/** The call view and its panels, fetched once: when "Join" is pressed, so it arrives with the server's answer. */
export function loadCallView(): Promise<CallViewComponent> {
  loading ??= import('./CallView.svelte').then((module) => module.default);
  return loading;
}
