import { createContext } from 'svelte';
import type { CallState } from './call-state.svelte';

/** The call of the room page; components below it read it instead of taking it as a prop. */
export const [getCallState, setCallState] = createContext<CallState>();
