import { createContext } from 'svelte';
import type { CallState } from './call-state.svelte';
import type { ChatState } from './chat.svelte';
import type { ModerationState } from './moderation.svelte';

/** The call of the room page; components below it read it instead of taking it as a prop. */
export const [getCallState, setCallState] = createContext<CallState>();

/** The room's controls, for the components of the call view, which only render once the call kit has loaded. */
export function getModeration(): ModerationState {
  return loaded(getCallState().moderation);
}

/** The room's chat, for the same components. */
export function getChat(): ChatState {
  return loaded(getCallState().chat);
}

function loaded<T>(part: T | null): T {
  if (!part) throw new Error('the call view renders before the call kit loaded');
  return part;
}
