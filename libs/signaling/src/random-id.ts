import { randomFillSync } from 'node:crypto';

// A call to randomBytes() goes to the OS's generator every time, and cost about as much as the
// rest of a join's bookkeeping; ids are drawn from a pool refilled 4 KiB at a time instead.
const pool = Buffer.allocUnsafe(4096);
let next = pool.length;

/** `bytes` cryptographically random bytes, base64url: an unguessable id. */
export function randomId(bytes: number): string {
  if (next + bytes > pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const id = pool.toString('base64url', next, next + bytes);
  next += bytes;
  return id;
}
