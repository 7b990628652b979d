import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * Headers for everything the app serves: a CSP that allows exactly what the SPA needs (its own
 * scripts and styles, the WebSocket on its own origin, camera and screen streams as media), and
 * camera, microphone and screen capture for this origin only.
 */
type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export function securityHeaders(): Middleware[] {
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          mediaSrc: ["'self'", 'blob:', 'mediastream:'],
          // 'self' covers ws:// and wss:// on the page's own host.
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
    (_req: IncomingMessage, res: ServerResponse, next: () => void) => {
      res.setHeader('Permissions-Policy', 'camera=(self), microphone=(self), display-capture=(self), speaker-selection=(self)');
      next();
    },
  ];
}
