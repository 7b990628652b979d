import { m } from '../../paraglide/messages.js';

/** A problem that ends the call, in words for the person in it. */
export interface Failure {
  kind: 'room-full' | 'unreachable' | 'lost' | 'rejected' | 'error';
  title: string;
  message: string;
  /** Whether trying again could help. */
  retry: boolean;
}

/**
 * The server cannot be reached. Apart from the other failures (error-messages.ts, loaded with the
 * call): the lobby needs it when the call's code itself cannot be fetched.
 */
export const unreachable = (): Failure => ({
  kind: 'unreachable',
  title: m.error_unreachable_title(),
  message: m.error_unreachable(),
  retry: true,
});
