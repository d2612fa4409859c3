import { createHash } from 'node:crypto';
import { idempotencyKeyInUse, idempotencyParamsMismatch, idempotencyPathMismatch, type StripeApiError } from './errors.js';

export interface StoredResponse {
  status: number;
  body: string;
}

export interface IdempotencyRecord {
  scope: string;
  key: string;
  method: string;
  path: string;
  fingerprint: string;
  createdAt: number;
  /** null while the first request is still executing. */
  response: StoredResponse | null;
}

export type IdempotencyLookup =
  | { kind: 'new' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'conflict'; error: StripeApiError };

const TTL_SECONDS = 24 * 60 * 60;

/** Keys are scoped per API key (account), as on Stripe; the key itself is kept only as a digest. */
const scopes = new Map<string, string>();

export function scopeOf(apiKey: string): string {
  let scope = scopes.get(apiKey);
  if (!scope) {
    scope = createHash('sha256').update(apiKey).digest('hex').slice(0, 24);
    if (scopes.size > 1000) scopes.clear();
    scopes.set(apiKey, scope);
  }
  return scope;
}

/**
 * Stripe's idempotency layer: the first response of an executed request is stored and
 * replayed byte for byte; a key reused for a different request is an error.
 */
export class IdempotencyStore {
  private records = new Map<string, IdempotencyRecord>();
  private sinceSweep = 0;

  constructor(private readonly onChange: () => void) {}

  private id(scope: string, key: string): string {
    return `${scope}\u0000${key}`;
  }

  check(scope: string, key: string, method: string, path: string, fingerprint: string, now: number): IdempotencyLookup {
    const rec = this.records.get(this.id(scope, key));
    if (!rec) return { kind: 'new' };
    if (now - rec.createdAt > TTL_SECONDS) {
      this.records.delete(this.id(scope, key));
      return { kind: 'new' };
    }
    if (rec.method !== method || rec.path !== path) {
      return { kind: 'conflict', error: idempotencyPathMismatch(key, `${rec.method} ${rec.path}`, `${method} ${path}`) };
    }
    if (rec.fingerprint !== fingerprint) return { kind: 'conflict', error: idempotencyParamsMismatch(key) };
    if (!rec.response) return { kind: 'conflict', error: idempotencyKeyInUse(key) };
    return { kind: 'replay', response: rec.response };
  }

  begin(scope: string, key: string, method: string, path: string, fingerprint: string, now: number): void {
    this.records.set(this.id(scope, key), { scope, key, method, path, fingerprint, createdAt: now, response: null });
    if (++this.sinceSweep >= 1000) this.sweep(now);
  }

  complete(scope: string, key: string, response: StoredResponse): void {
    const rec = this.records.get(this.id(scope, key));
    if (rec) rec.response = response;
    this.onChange();
  }

  /** Forgets a key whose request never executed (e.g. a fault before execution). */
  release(scope: string, key: string): void {
    const rec = this.records.get(this.id(scope, key));
    if (rec && !rec.response) this.records.delete(this.id(scope, key));
  }

  sweep(now: number): void {
    this.sinceSweep = 0;
    for (const [id, rec] of this.records) if (now - rec.createdAt > TTL_SECONDS) this.records.delete(id);
  }

  clear(): void {
    this.records.clear();
  }

  get size(): number {
    return this.records.size;
  }

  /** Completed records only: an in-flight request at shutdown never answered, so it never happened. */
  snapshot(): IdempotencyRecord[] {
    return Array.from(this.records.values()).filter((r) => r.response !== null);
  }

  restore(records: IdempotencyRecord[]): void {
    for (const r of records) this.records.set(this.id(r.scope, r.key), r);
  }
}
