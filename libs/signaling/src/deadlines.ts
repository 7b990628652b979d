/**
 * Deadlines that all lie the same time after they were set, on one timer: `expire` runs for each
 * item that long after its `add`, in order, unless it was deleted first. It replaces a timer per
 * connection. An item is held only until it expires or is deleted, so a closed connection is not
 * kept alive by its deadline.
 */
export class Deadlines<T> {
  /** Each item's due time; a Map keeps the order of `add`, which is the order of the deadlines. */
  readonly #dueAt = new Map<T, number>();
  #timer?: NodeJS.Timeout;

  constructor(
    private readonly afterMs: number,
    private readonly expire: (item: T) => void,
  ) {}

  add(item: T, now = Date.now()): void {
    // Set again, an item moves to the end, where its new deadline belongs.
    this.#dueAt.delete(item);
    this.#dueAt.set(item, now + this.afterMs);
    if (!this.#timer) this.#arm(now);
  }

  /** The item no longer needs its deadline (it did what was due, or closed). */
  delete(item: T): void {
    this.#dueAt.delete(item);
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#dueAt.clear();
  }

  #arm(now: number): void {
    const next = this.#dueAt.values().next();
    if (next.done) return;
    this.#timer = setTimeout(() => this.#run(), Math.max(0, next.value - now));
    this.#timer.unref();
  }

  #run(): void {
    this.#timer = undefined;
    const now = Date.now();
    for (const [item, dueAt] of this.#dueAt) {
      if (dueAt > now) break;
      this.#dueAt.delete(item);
      this.expire(item);
    }
    this.#arm(now);
  }
}
