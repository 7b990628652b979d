import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { languageReady } from './lib/i18n/locale.svelte';

// The first render speaks the chosen language: its messages are fetched first (English needs nothing).
void languageReady.then(() => mount(App, { target: document.getElementById('app')! }));
