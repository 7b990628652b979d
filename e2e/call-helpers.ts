/** Helpers for the call features' specs: negotiation counts, sender caps, a tile by name. */
import type { Locator, Page } from '@playwright/test';
import type { Person } from './helpers';

declare global {
  interface Window {
    /** `setLocalDescription` calls on all of the page's peer connections: a renegotiation adds one. */
    __negotiations: number;
    /** Whether the tile watched by `watchRinging` showed `data-speaking="true"`. */
    __rang: boolean;
  }
}

/** Counts `setLocalDescription` calls, without touching app code. Add before the page loads. */
export async function countNegotiations(person: Person): Promise<void> {
  await person.context.addInitScript(() => {
    window.__negotiations = 0;
    const original = RTCPeerConnection.prototype.setLocalDescription as (...args: unknown[]) => Promise<void>;
    RTCPeerConnection.prototype.setLocalDescription = function (this: RTCPeerConnection, ...args: unknown[]) {
      window.__negotiations++;
      return original.apply(this, args);
    } as never;
  });
}

export function negotiations(page: Page): Promise<number> {
  return page.evaluate(() => window.__negotiations);
}

/** The first encoding of every link's camera sender: the first negotiated video transceiver. */
export function cameraCaps(page: Page): Promise<{ maxBitrate?: number; scaleResolutionDownBy?: number }[]> {
  return page.evaluate(() =>
    window.__pcs
      .filter((pc) => pc.connectionState !== 'closed')
      .map((pc) => {
        const transceiver = pc
          .getTransceivers()
          .filter((t) => t.receiver.track.kind === 'video' && t.mid !== null)
          .sort((a, b) => Number(a.mid) - Number(b.mid))[0];
        const encoding = transceiver?.sender.getParameters().encodings[0];
        return { maxBitrate: encoding?.maxBitrate, scaleResolutionDownBy: encoding?.scaleResolutionDownBy };
      }),
  );
}

/**
 * From now on, notes in the page whether `peerId`'s camera tile ever rings as speaking (a
 * re-rendered tile included); the returned function tells.
 */
export async function watchRinging(page: Page, peerId: string): Promise<() => Promise<boolean>> {
  await page.evaluate((id) => {
    const ringing = () => !!document.querySelector(`[data-testid="remote-tile"][data-peer-id="${id}"][data-speaking="true"]`);
    window.__rang = ringing();
    new MutationObserver(() => (window.__rang ||= ringing())).observe(document.body, { subtree: true, childList: true, attributes: true });
  }, peerId);
  return () => page.evaluate(() => window.__rang);
}

export function tileOf(page: Page, name: string): Locator {
  return page.locator(`[data-testid="remote-tile"][data-peer-name="${name}"]`);
}
