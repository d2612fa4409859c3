import type { LogRecord } from './log-file.js';

/**
 * A small map kept whole in memory whose changes go to the store's log. Values may be changed
 * in place after `get`, so every key read or written since the last commit is written again.
 */
export class LoggedMap<V> extends Map<string, V> {
  private touched = new Set<string>();

  constructor(readonly kind: string) {
    super();
  }

  override get(key: string): V | undefined {
    const v = super.get(key);
    if (v !== undefined) this.touched.add(key);
    return v;
  }

  override set(key: string, value: V): this {
    this.touched?.add(key);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    this.touched.add(key);
    return super.delete(key);
  }

  /** From the log on start: not a change. */
  load(key: string, value: V | undefined): void {
    if (value === undefined) super.delete(key);
    else super.set(key, value);
  }

  reset(): void {
    super.clear();
    this.touched.clear();
  }

  drain(): LogRecord[] {
    const out: LogRecord[] = [];
    for (const key of this.touched) {
      const v = super.get(key);
      out.push({ kind: this.kind, id: key, t: 0, text: v === undefined ? null : JSON.stringify(v) });
    }
    this.touched.clear();
    return out;
  }
}
