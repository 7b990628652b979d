/** Something shown for a while, then gone by itself. */
export class Flash<T> {
  value = $state<T | null>(null);
  readonly #ms: number;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  show(value: T): void {
    this.value = value;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => (this.value = null), this.#ms);
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.value = null;
  }
}
