/**
 * Deadlines that all lie the same time after they were set, on one timer: `expire` runs for each
 * item that long after its `add`, in order. It replaces a timer per socket (and the 'close'
 * listener that cleared it), which was a good part of what setting up a connection cost; `expire`
 * decides whether the item still matters (a socket that closed or joined meanwhile).
 */
export class Deadlines<T> {
  #items: T[] = [];
  #dueAt: number[] = [];
  /** Where the items not yet expired start in the arrays (shifted off in batches). */
  #head = 0;
  #timer?: NodeJS.Timeout;

  constructor(
    private readonly afterMs: number,
    private readonly expire: (item: T) => void,
  ) {}

  add(item: T, now = Date.now()): void {
    this.#items.push(item);
    this.#dueAt.push(now + this.afterMs);
    if (!this.#timer) this.#arm(now);
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#items = [];
    this.#dueAt = [];
    this.#head = 0;
  }

  #arm(now: number): void {
    this.#timer = setTimeout(() => this.#run(), Math.max(0, this.#dueAt[this.#head] - now));
    this.#timer.unref();
  }

  #run(): void {
    this.#timer = undefined;
    const now = Date.now();
    while (this.#head < this.#items.length && this.#dueAt[this.#head] <= now) {
      const item = this.#items[this.#head];
      this.#head++;
      this.expire(item);
    }
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#dueAt = [];
      this.#head = 0;
      return;
    }
    // Drop what expired, so that the arrays hold about `afterMs` worth of items.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#dueAt = this.#dueAt.slice(this.#head);
      this.#head = 0;
    }
    this.#arm(now);
  }
}
