import { createHash } from 'node:crypto';
import type { Store } from './store.js';
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

export const IDEMPOTENCY_KIND = 'x:idempotency';
const KIND = IDEMPOTENCY_KIND;

/** The store id of a key's record: a digest, so keys are not a lookup into other scopes. */
export function idempotencyRecordId(scope: string, key: string): string {
  return createHash('sha256').update(`${scope}\u0000${key}`).digest('hex');
}

/** The request's parameters as stored: a digest, so card numbers in a request never reach the disk. */
export function requestDigest(canonicalParams: string): string {
  return createHash('sha256').update(canonicalParams).digest('hex');
}

/**
 * Stripe's idempotency layer: the first response of an executed request is stored and
 * replayed byte for byte; a key reused for a different request is an error. Completed
 * records live in the store (on disk); only requests still executing are held in memory.
 */
export class IdempotencyStore {
  private inFlight = new Map<string, IdempotencyRecord>();
  private sinceSweep = 0;

  constructor(private readonly store: Store) {}

  private id(scope: string, key: string): string {
    return idempotencyRecordId(scope, key);
  }

  private find(id: string): IdempotencyRecord | undefined {
    return this.inFlight.get(id) ?? this.store.getRecord<IdempotencyRecord & { id: string }>(KIND, id);
  }

  check(scope: string, key: string, method: string, path: string, fingerprint: string, now: number): IdempotencyLookup {
    const id = this.id(scope, key);
    const rec = this.find(id);
    if (!rec) return { kind: 'new' };
    if (now - rec.createdAt > TTL_SECONDS) {
      this.store.removeRecord(KIND, id);
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
    const id = this.id(scope, key);
    this.store.removeRecord(KIND, id);
    this.inFlight.set(id, { scope, key, method, path, fingerprint, createdAt: now, response: null });
    if (++this.sinceSweep >= 1000) this.sweep(now);
  }

  complete(scope: string, key: string, response: StoredResponse): void {
    const id = this.id(scope, key);
    const rec = this.inFlight.get(id);
    if (!rec) return;
    this.inFlight.delete(id);
    this.store.putRecord(KIND, { id, ...rec, response }, rec.createdAt);
  }

  /** Forgets a key whose request never executed (e.g. a fault before execution). */
  release(scope: string, key: string): void {
    this.inFlight.delete(this.id(scope, key));
  }

  /** Drops records older than 24 h of emulator time (records are in creation order). */
  sweep(now: number): void {
    this.sinceSweep = 0;
    for (const { id, t } of this.store.oldest(KIND)) {
      if (now - t <= TTL_SECONDS) break;
      this.store.removeRecord(KIND, id);
    }
  }

  clear(): void {
    this.inFlight.clear();
  }

  get size(): number {
    return this.store.count(KIND) + this.inFlight.size;
  }
}
