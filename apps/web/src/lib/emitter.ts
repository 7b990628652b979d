/** A small typed event emitter: `Events` maps each event name to its payload. */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(data: never) => void>>();

  on<E extends keyof Events>(event: E, listener: (data: Events[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (data: never) => void);
    return () => set.delete(listener as (data: never) => void);
  }

  /** Calls every listener; one that throws is logged and does not stop the others. */
  emit<E extends keyof Events>(event: E, data: Events[E]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (listener as (data: Events[E]) => void)(data);
      } catch (error) {
        console.error(`[${String(event)}] listener failed`, error);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
