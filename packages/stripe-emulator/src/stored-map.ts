import type { Store } from './store.js';

/**
 * A map whose values are records of the store (read from the log when used, not held in
 * memory), for per-object facts such as what a card instrument does. Values may be changed in
 * place after `get`, until the next commit.
 */
export class StoredMap<V extends object> {
  constructor(private readonly store: Store, readonly kind: string) {}

  get(id: string): V | undefined {
    return this.store.getRecord<V>(this.kind, id);
  }

  has(id: string): boolean {
    return this.store.has(this.kind, id);
  }

  set(id: string, value: V): void {
    this.store.putRecordAs(this.kind, id, value, 0);
  }

  delete(id: string): void {
    this.store.removeRecord(this.kind, id);
  }
}
